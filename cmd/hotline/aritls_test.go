package main

import (
	"encoding/pem"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hotline/crm/postgres/pgtest"
	"hotline/telephony/ari/aritest"
)

// ARI over TLS as deploy/ ships it: `hotline serve` reaches Asterisk at
// https://…:8089 (REST over https, events over wss) with a certificate of
// its own CA, trusted through SSL_CERT_DIR as compose sets it; without it
// the certificate is refused and the service is not ready.
func TestServeReachesARIOverTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes")
	}
	sim := aritest.New(aritest.Options{ChannelVarsLinkedID: true})
	defer sim.Close()
	backend, err := url.Parse(sim.URL())
	if err != nil {
		t.Fatal(err)
	}
	// Asterisk's TLS listener: a TLS front of the simulated PBX (REST and
	// the WebSocket upgrade pass through), with a certificate for 127.0.0.1
	// signed by nobody the system trusts.
	pbx := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(backend))
	defer pbx.Close()
	caDir := t.TempDir()
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pbx.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(caDir, "asterisk.crt"), cert, 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"HOTLINE_DATABASE_URL": pgtest.NewDSN(t), "HOTLINE_HTTP_ADDR": "127.0.0.1:0", "HOTLINE_LOG_LEVEL": "info",
		"HOTLINE_ARI_URL": pbx.URL, "HOTLINE_ARI_USER": "hotline", "HOTLINE_ARI_PASSWORD": "hotline-secret",
	}
	if !strings.HasPrefix(pbx.URL, "https://127.0.0.1:") {
		t.Fatalf("TLS front at %s", pbx.URL)
	}

	untrusted := startReplica(t, "untrusted", vars)
	waitFor(t, 20*time.Second, "the refused certificate in the log", func() bool {
		return strings.Contains(untrusted.log.String(), "certificate signed by unknown authority")
	})
	if code := untrusted.readyz(t); code == 200 || sim.Connected("hotline") {
		t.Fatalf("without the CA: /readyz %d, connected %v", code, sim.Connected("hotline"))
	}
	_ = untrusted.cmd.Process.Kill()
	_ = untrusted.cmd.Wait()

	vars["SSL_CERT_DIR"] = caDir
	trusted := startReplica(t, "trusted", vars)
	waitFor(t, 30*time.Second, "the event stream over wss and /readyz 200", func() bool {
		return trusted.streams() && sim.Connected("hotline") && trusted.readyz(t) == 200
	})
}
