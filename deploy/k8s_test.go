package deploy

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// k8sKinds maps apiVersion/kind to a fresh typed object of that kind.
var k8sKinds = map[string]func() any{
	"v1/Namespace":                            func() any { return &corev1.Namespace{} },
	"v1/ConfigMap":                            func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                               func() any { return &corev1.Secret{} },
	"v1/Service":                              func() any { return &corev1.Service{} },
	"apps/v1/Deployment":                      func() any { return &appsv1.Deployment{} },
	"policy/v1/PodDisruptionBudget":           func() any { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2/HorizontalPodAutoscaler":  func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"batch/v1/Job":                            func() any { return &batchv1.Job{} },
	"monitoring.coreos.com/v1/ServiceMonitor": func() any { return &serviceMonitor{} },
}

// loadManifests decodes every file in k8s/ (except kustomization.yaml)
// strictly, as the API object its apiVersion and kind declare: an unknown or
// misspelt field is an error.
func loadManifests(t *testing.T) map[string]any {
	t.Helper()
	files, err := filepath.Glob("k8s/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objs := map[string]any{}
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(b, []byte("\n---")) {
			if len(bytes.TrimSpace(doc)) == 0 {
				continue
			}
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal(doc, &tm); err != nil {
				t.Fatalf("%s doc %d: %v", f, i, err)
			}
			newObj, ok := k8sKinds[tm.APIVersion+"/"+tm.Kind]
			if !ok {
				t.Errorf("%s doc %d: unexpected %s %s", f, i, tm.APIVersion, tm.Kind)
				continue
			}
			obj := newObj()
			if err := yaml.UnmarshalStrict(doc, obj); err != nil {
				t.Errorf("%s doc %d does not decode as %s: %v", f, i, tm.Kind, err)
				continue
			}
			objs[tm.Kind] = obj
		}
	}
	return objs
}

func TestK8sManifestsDecode(t *testing.T) {
	objs := loadManifests(t)
	for _, kind := range []string{"Namespace", "ConfigMap", "Secret", "Service", "Deployment", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Job"} {
		if objs[kind] == nil {
			t.Errorf("no %s manifest", kind)
		}
	}
	// A misspelt field must be caught, or the strict decode proves nothing.
	bad := []byte("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {prots: []}\n")
	if err := yaml.UnmarshalStrict(bad, &corev1.Service{}); err == nil {
		t.Error("strict decoding accepted an unknown field")
	}
}

func TestK8sDeployment(t *testing.T) {
	objs := loadManifests(t)
	d, ok := objs["Deployment"].(*appsv1.Deployment)
	if !ok {
		t.Fatal("no Deployment")
	}
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
		t.Error("Hotline needs 2 or more replicas")
	}
	pod := d.Spec.Template.Spec
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("selector %v does not match the pod labels %v (%v)", d.Spec.Selector, d.Spec.Template.Labels, err)
	}
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		t.Error("pod must run as non-root")
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("containers = %d", len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
		t.Error("readiness probe must GET /readyz")
	}
	if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Error("liveness probe must GET /healthz (never /readyz: a database outage must not restart every pod)")
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("container securityContext is not locked down: %+v", sc)
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources = %+v, want cpu/memory requests and a memory limit", c.Resources)
	}
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	if mounts["spool"] != "/var/lib/hotline/spool" {
		t.Errorf("spool is mounted at %q", mounts["spool"])
	}
	for _, v := range pod.Volumes {
		if _, ok := mounts[v.Name]; !ok {
			t.Errorf("volume %s is never mounted", v.Name)
		}
	}
	checkEnvSources(t, objs, c)
	if !strings.HasPrefix(c.Image, "hotline") {
		t.Errorf("image %q: kustomization's images: entry rewrites \"hotline\"", c.Image)
	}
}

// checkEnvSources: the ConfigMap and Secret the container reads exist and
// together set the variables Hotline needs.
func checkEnvSources(t *testing.T, objs map[string]any, c corev1.Container) {
	t.Helper()
	cm := objs["ConfigMap"].(*corev1.ConfigMap)
	sec := objs["Secret"].(*corev1.Secret)
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil && from.ConfigMapRef.Name == cm.Name:
			for k, v := range cm.Data {
				env[k] = v
			}
		case from.SecretRef != nil && from.SecretRef.Name == sec.Name:
			for k, v := range sec.StringData {
				env[k] = v
			}
		default:
			t.Errorf("envFrom %+v names no shipped ConfigMap or Secret", from)
		}
	}
	for _, k := range []string{"HOTLINE_HTTP_ADDR", "HOTLINE_DATABASE_URL", "HOTLINE_REDIS_URL", "HOTLINE_ARI_URL", "HOTLINE_ARI_USER", "HOTLINE_ARI_PASSWORD", "HOTLINE_ARI_APP"} {
		if env[k] == "" {
			t.Errorf("%s is set by neither the ConfigMap nor the Secret", k)
		}
	}
	for k := range cm.Data {
		if strings.Contains(k, "PASSWORD") || k == "HOTLINE_DATABASE_URL" {
			t.Errorf("%s belongs in the Secret, not the ConfigMap", k)
		}
	}
	if env["HOTLINE_HTTP_ADDR"] != ":8080" {
		t.Errorf("HOTLINE_HTTP_ADDR = %q: in a pod Hotline must listen on every interface", env["HOTLINE_HTTP_ADDR"])
	}
}

func TestK8sObjectsFitTogether(t *testing.T) {
	objs := loadManifests(t)
	d := objs["Deployment"].(*appsv1.Deployment)
	podLabels := labels.Set(d.Spec.Template.Labels)
	svc := objs["Service"].(*corev1.Service)
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
		t.Errorf("Service selector %v does not select the pods", svc.Spec.Selector)
	}
	if len(svc.Spec.Ports) != 2 || svc.Spec.Ports[0].Port != 8080 || svc.Spec.Ports[0].TargetPort.String() != "http" ||
		svc.Spec.Ports[1].Name != "metrics" || svc.Spec.Ports[1].TargetPort.String() != "metrics" {
		t.Errorf("Service ports = %+v, want http 8080 and metrics", svc.Spec.Ports)
	}
	pdb := objs["PodDisruptionBudget"].(*policyv1.PodDisruptionBudget)
	if sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err != nil || !sel.Matches(podLabels) {
		t.Errorf("PDB selector does not select the pods (%v)", err)
	}
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() < 1 {
		t.Error("PDB must keep at least one replica")
	}
	hpa := objs["HorizontalPodAutoscaler"].(*autoscalingv2.HorizontalPodAutoscaler)
	if hpa.Spec.ScaleTargetRef.Kind != "Deployment" || hpa.Spec.ScaleTargetRef.Name != d.Name {
		t.Errorf("HPA targets %+v", hpa.Spec.ScaleTargetRef)
	}
	if hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 {
		t.Error("HPA must not scale below 2 replicas")
	}
	ns := objs["Namespace"].(*corev1.Namespace).Name
	for kind, obj := range objs {
		if kind == "Namespace" {
			continue
		}
		if m := obj.(metav1.ObjectMetaAccessor).GetObjectMeta(); m.GetNamespace() != ns {
			t.Errorf("%s %s is in namespace %q, want %q", kind, m.GetName(), m.GetNamespace(), ns)
		}
	}
	job := objs["Job"].(*batchv1.Job)
	if args := job.Spec.Template.Spec.Containers[0].Args; !slices.Equal(args, []string{"migrate", "up"}) {
		t.Errorf("migrate job args = %v", args)
	}
}

func TestKustomization(t *testing.T) {
	b, err := os.ReadFile("k8s/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Namespace  string   `json:"namespace"`
		Resources  []string `json:"resources"`
		Images     []struct {
			Name    string `json:"name"`
			NewName string `json:"newName"`
			NewTag  string `json:"newTag"`
		} `json:"images"`
	}
	if err := yaml.UnmarshalStrict(b, &k); err != nil {
		t.Fatal(err)
	}
	if k.Kind != "Kustomization" || k.Namespace != "hotline" {
		t.Errorf("kind %q namespace %q", k.Kind, k.Namespace)
	}
	for _, r := range k.Resources {
		if _, err := os.Stat(filepath.Join("k8s", r)); err != nil {
			t.Errorf("resource %s: %v", r, err)
		}
	}
	for _, want := range []string{"deployment.yaml", "service.yaml", "pdb.yaml", "configmap.yaml", "namespace.yaml", "migrate-job.yaml"} {
		if !slices.Contains(k.Resources, want) {
			t.Errorf("kustomization lacks %s", want)
		}
	}
	// Placeholder secrets are applied by hand (README); the ServiceMonitor
	// only where the Prometheus Operator runs.
	for _, not := range []string{"secret.example.yaml", "servicemonitor.yaml"} {
		if slices.Contains(k.Resources, not) {
			t.Errorf("kustomization must not apply %s", not)
		}
	}
	if len(k.Images) != 1 || k.Images[0].Name != "hotline" {
		t.Errorf("images = %+v", k.Images)
	}
}
