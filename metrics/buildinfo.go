package metrics

import (
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
)

// RegisterBuildInfo exports hotline_build_info{version,goversion}, always 1,
// so that dashboards and alerts can tell which release each replica runs
// (count by (version) (hotline_build_info) during a rolling update).
func RegisterBuildInfo(reg prometheus.Registerer, version string) {
	if version == "" {
		version = "dev"
	}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "hotline_build_info",
		Help:        "Always 1; the labels are the release of Hotline and the Go version it was built with.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	}, func() float64 { return 1 }))
}
