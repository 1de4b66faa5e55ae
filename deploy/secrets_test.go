package deploy

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// The secrets the guide has an administrator create (.env, the k8s Secret,
// ARI's TLS key in tls/) stay out of git and out of the image's build
// context.
func TestSecretsStayOutOfGitAndImages(t *testing.T) {
	lines := func(f string) []string {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Fields(string(b))
	}
	ignored, context := lines(".gitignore"), lines("Dockerfile.dockerignore")
	for _, s := range []struct{ git, build string }{
		{".env", "deploy/.env"}, {"k8s/secret.yaml", "deploy/k8s/secret.yaml"}, {"tls/", "deploy/tls"},
	} {
		if !slices.Contains(ignored, s.git) {
			t.Errorf("deploy/.gitignore lacks %s", s.git)
		}
		if !slices.Contains(context, s.build) {
			t.Errorf("Dockerfile.dockerignore lacks %s: it would be sent to the image build", s.build)
		}
	}
}
