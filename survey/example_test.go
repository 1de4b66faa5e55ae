package survey_test

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"hotline/crm/postgres"
	"hotline/survey"
	"hotline/telephony/ari"
)

// Wiring in cmd/hotline: one runner and one dialer per process, fed by
// every ARI client's event stream (after the call tracker, so that the
// call record of the agent's call is on its way when the survey starts).
func Example_wiring() {
	ctx := context.Background()
	log := slog.Default()
	db, _ := postgres.Open(ctx, "postgres://localhost/hotline", postgres.Options{})
	st := postgres.NewServices(db)
	cli, _ := ari.NewClient(ari.Config{Node: "pbx1", URL: "http://127.0.0.1:8088", User: "hotline", Password: "secret", App: "hotline"})

	runner := survey.NewRunner(survey.Options{Store: st.Surveys, Timeline: st.Clients, Logger: log,
		Registerer: prometheus.DefaultRegisterer,
		ARI:        func(node string) survey.ARI { return cli }})
	defer runner.Close()
	dialer := survey.NewDialer(survey.DialerOptions{Store: st.Campaigns, ARI: cli, Logger: log})

	// Close what a previous process left in progress, then follow events.
	_, _ = runner.Recover(ctx, "pbx1")
	go func() { _ = dialer.Run(ctx) }()
	_ = cli.Run(ctx, func(m ari.Message) {
		// tracker.Handle(m) first, then:
		runner.Handle(m)
		dialer.Handle(m)
	})
}
