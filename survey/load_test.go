package survey_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"hotline/survey"
	"hotline/telephony/ari"
)

// originateSurveys places n simulated customers (Local/survey@sim-customer,
// pressing 5) straight into Stasis(hotline,survey,<id>) at once.
func originateSurveys(tb testing.TB, cli *ari.Client, surveyID int64, n int) {
	tb.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 50)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := cli.Channels().Originate(context.Background(), ari.OriginateParams{
				Endpoint: "Local/survey@sim-customer", App: "hotline", AppArgs: fmt.Sprintf("survey,%d", surveyID),
				ChannelID: fmt.Sprintf("load-%d", i), Variables: map[string]string{"DIGITS": "5"}})
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatalf("originate: %v", err)
	}
}

func TestFiveHundredConcurrentSurveys(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("load test")
	}
	r := newRig(t, 2)
	sv := quickSurvey(t, r)
	const n = 500
	originateSurveys(t, r.cli, sv.ID, n)
	ctx := context.Background()
	eventually(t, "every survey to end", func() bool {
		var open, total int
		_ = r.store.DB.Pool().QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'in_progress'), count(*) FROM survey_responses`).Scan(&open, &total)
		return total == n && open == 0 && r.runner.Active() == 0
	})
	var responses, answers, distinct, completed, fives int
	err := r.store.DB.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM survey_responses),
		(SELECT count(*) FROM survey_answers), (SELECT count(DISTINCT response_id) FROM survey_answers),
		(SELECT count(*) FROM survey_responses WHERE state = 'completed'),
		(SELECT count(*) FROM survey_answers WHERE value = 5)`).Scan(&responses, &answers, &distinct, &completed, &fives)
	if err != nil {
		t.Fatal(err)
	}
	if responses != n || answers != n || distinct != n || completed != n || fives != n {
		t.Errorf("responses %d, answers %d (%d distinct), completed %d, fives %d; want %d each", responses, answers, distinct, completed, fives, n)
	}
}

// BenchmarkConcurrentSurveys runs 2,000 surveys at once on the simulated
// PBX and reports answers stored per second and heap per running session.
func BenchmarkConcurrentSurveys(b *testing.B) {
	for range b.N {
		benchOnce(b, 2000)
	}
}

func benchOnce(b *testing.B, n int) {
	b.StopTimer()
	rt := newBenchRig(b)
	sv := survey.Survey{Name: "bench", Questions: []survey.Question{{Key: "q", Prompt: []string{"sound:beep"}, Min: 1, Max: 5, Required: true}}}
	if err := rt.store.Surveys.CreateSurvey(context.Background(), &sv); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	start := time.Now()
	before := heapInUse()
	originateSurveys(b, rt.cli, sv.ID, n)
	peak, active := uint64(0), 0
	ctx := context.Background()
	for {
		if a := rt.runner.Active(); a > active {
			active, peak = a, heapInUse()
		}
		var answers int
		_ = rt.store.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM survey_answers`).Scan(&answers)
		if answers == n {
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "answers/s")
			break
		}
		if time.Since(start) > 2*time.Minute {
			b.Fatalf("only %d of %d answers stored", answers, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if active > 0 && peak > before {
		b.ReportMetric(float64(peak-before)/float64(active), "heap-B/session")
	}
	b.ReportMetric(float64(active), "peak-sessions")
}
