package deploy

import (
	"os"
	"strings"
	"testing"
)

// The ARI lease is a PostgreSQL advisory lock (telephony/lease); no guide or
// comment may send an operator looking for it in Redis.
func TestDocsPutTheARILeaseInPostgreSQL(t *testing.T) {
	for _, f := range []string{"README.md", "compose.yaml", "../README.md", "k8s/deployment.yaml", "k8s/configmap.yaml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			l := strings.ToLower(line)
			if strings.Contains(l, "lease") && strings.Contains(l, "redis") && !strings.Contains(l, "postgresql") {
				t.Errorf("%s:%d puts the ARI lease in Redis: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
