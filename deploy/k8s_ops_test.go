package deploy

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"hotline/crm/resource/doctext"
)

// serviceMonitor is the part of the Prometheus Operator's ServiceMonitor
// (monitoring.coreos.com/v1) the shipped one uses, decoded strictly.
type serviceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Selector  metav1.LabelSelector `json:"selector"`
		Endpoints []struct {
			Port          string `json:"port"`
			Path          string `json:"path"`
			Interval      string `json:"interval"`
			Authorization struct {
				Type        string                   `json:"type"`
				Credentials corev1.SecretKeySelector `json:"credentials"`
			} `json:"authorization"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// pdfChildren is how many PDF reader children serve runs at once
// (doctext.ProcessOptions.Parallel's default); each may hold
// doctext.DefaultChildMemory of heap plus its runtime beyond that.
const (
	pdfChildren       = 2
	childRuntimeBytes = 64 << 20
)

// The memory limit holds the service and its PDF reader children, and the
// Go runtime's soft limit (GOMEMLIMIT) keeps the service within its share,
// so a burst of PDF uploads never gets the pod OOM-killed.
func TestK8sMemoryHoldsServiceAndPDFReaders(t *testing.T) {
	objs := loadManifests(t)
	c := objs["Deployment"].(*appsv1.Deployment).Spec.Template.Spec.Containers[0]
	limit := c.Resources.Limits.Memory().Value()
	var goMemLimit string
	for _, e := range c.Env {
		if e.Name == "GOMEMLIMIT" {
			goMemLimit = e.Value
		}
	}
	m := regexp.MustCompile(`^(\d+)MiB$`).FindStringSubmatch(goMemLimit)
	if m == nil {
		t.Fatalf("GOMEMLIMIT = %q, want NNNMiB set on the container", goMemLimit)
	}
	q := resource.MustParse(m[1] + "Mi")
	soft := q.Value()
	children := int64(pdfChildren) * (doctext.DefaultChildMemory + childRuntimeBytes)
	service := limit - children
	if service < 256<<20 {
		t.Fatalf("memory limit %d MiB leaves the service %d MiB beside %d PDF readers", limit>>20, service>>20, pdfChildren)
	}
	// The soft limit is below the service's share with room for what the
	// Go runtime does not count (stacks of cgo-free threads, fragmentation).
	if soft > service*95/100 || soft < service*80/100 {
		t.Errorf("GOMEMLIMIT %d MiB, want 80-95 %% of the service's %d MiB (limit %d MiB - %d PDF readers)",
			soft>>20, service>>20, limit>>20, pdfChildren)
	}
	if req := c.Resources.Requests.Memory().Value(); req > limit || req < soft/2 {
		t.Errorf("memory request %d MiB is not between half of GOMEMLIMIT and the limit", req>>20)
	}
}

// Prometheus scrapes the metrics listener (HOTLINE_METRICS_ADDR), with the
// token, through the annotations or the ServiceMonitor; never the HTTP port.
func TestK8sMetricsScrape(t *testing.T) {
	objs := loadManifests(t)
	d := objs["Deployment"].(*appsv1.Deployment)
	cm := objs["ConfigMap"].(*corev1.ConfigMap)
	sec := objs["Secret"].(*corev1.Secret)
	c := d.Spec.Template.Spec.Containers[0]
	var metricsPort int32
	for _, p := range c.Ports {
		if p.Name == "metrics" {
			metricsPort = p.ContainerPort
		}
	}
	if metricsPort == 0 || !strings.HasSuffix(cm.Data["HOTLINE_METRICS_ADDR"], ":"+itoa(metricsPort)) {
		t.Fatalf("container port metrics %d, HOTLINE_METRICS_ADDR %q: want the same port", metricsPort, cm.Data["HOTLINE_METRICS_ADDR"])
	}
	if a := d.Spec.Template.Annotations; a["prometheus.io/port"] != itoa(metricsPort) || a["prometheus.io/path"] != "/metrics" {
		t.Errorf("scrape annotations %v, want the metrics port %d", a, metricsPort)
	}
	if sec.StringData["HOTLINE_METRICS_TOKEN"] == "" {
		t.Error("the Secret has no HOTLINE_METRICS_TOKEN, which a metrics listener beyond loopback requires")
	}
	sm, ok := objs["ServiceMonitor"].(*serviceMonitor)
	if !ok {
		t.Fatal("no ServiceMonitor")
	}
	svc := objs["Service"].(*corev1.Service)
	sel, err := metav1.LabelSelectorAsSelector(&sm.Spec.Selector)
	if err != nil || !sel.Matches(labels.Set(svc.Labels)) {
		t.Errorf("the ServiceMonitor's selector %v does not select the Service (%v)", sm.Spec.Selector, err)
	}
	if len(sm.Spec.Endpoints) != 1 {
		t.Fatalf("ServiceMonitor endpoints = %+v", sm.Spec.Endpoints)
	}
	ep := sm.Spec.Endpoints[0]
	var port *corev1.ServicePort
	for i := range svc.Spec.Ports {
		if svc.Spec.Ports[i].Name == ep.Port {
			port = &svc.Spec.Ports[i]
		}
	}
	if port == nil || port.TargetPort.String() != "metrics" || ep.Path != "/metrics" {
		t.Errorf("the ServiceMonitor scrapes port %q path %q, want the Service's port to the container's metrics port", ep.Port, ep.Path)
	}
	if a := ep.Authorization; a.Type != "Bearer" || a.Credentials.Name != sec.Name || a.Credentials.Key != "HOTLINE_METRICS_TOKEN" {
		t.Errorf("the ServiceMonitor sends %+v, want the Secret's HOTLINE_METRICS_TOKEN as a bearer token", a)
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

// kubectl kustomize renders deploy/k8s: the migrate Job is in it, and the
// one images: entry gives it the Deployment's image.
func TestKustomizeRendersJobWithTheDeploymentsImage(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		if os.Getenv("HOTLINE_TEST_REQUIRE_TOOLS") != "" {
			t.Fatal("kubectl is not installed and HOTLINE_TEST_REQUIRE_TOOLS is set")
		}
		t.Skip("kubectl not installed: the kustomization is checked only by TestKustomization")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, kubectl, "kustomize", "k8s").Output()
	if err != nil {
		t.Fatalf("kubectl kustomize: %v", err)
	}
	images := map[string]string{}
	for _, doc := range strings.Split(string(out), "\n---\n") {
		var obj struct {
			Kind     string            `json:"kind"`
			Metadata metav1.ObjectMeta `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatal(err)
		}
		switch obj.Kind {
		case "Deployment":
			var d appsv1.Deployment
			_ = yaml.Unmarshal([]byte(doc), &d)
			images["Deployment"] = d.Spec.Template.Spec.Containers[0].Image
		case "Job":
			var j batchv1.Job
			_ = yaml.Unmarshal([]byte(doc), &j)
			images["Job"] = j.Spec.Template.Spec.Containers[0].Image
			if j.Namespace != "hotline" {
				t.Errorf("the Job is in namespace %q", j.Namespace)
			}
		}
	}
	if images["Job"] == "" || images["Job"] != images["Deployment"] || !strings.HasPrefix(images["Job"], "registry.example.com/hotline") {
		t.Errorf("rendered images %v: want the Job and the Deployment on the kustomization's image", images)
	}
}
