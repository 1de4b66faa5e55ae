package ari_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"hotline/telephony/ari"
)

func ExampleDecode() {
	frame := []byte(`{"variable":"x","type":"Dial","timestamp":"2026-11-27T03:09:32.790+0000","dialstatus":"RINGING","dialstring":"1001","peer":{"id":"1795748972.1","name":"PJSIP/1001-00000001","state":"Ringing","protocol_id":"","caller":{"name":"Agent 1001","number":"1001"},"connected":{"name":"Ivan Petrov","number":"+74951234567"},"accountcode":"","dialplan":{"context":"agents","exten":"7001","priority":1,"app_name":"AppDial","app_data":"(Outgoing Line)"},"creationtime":"2026-11-27T03:09:32.788+0000","language":"en","channelvars":{"CHANNEL(linkedid)":"1795748972.0"}},"asterisk_id":"02:fc:00:00:00:01","application":"hotline"}`)
	typ, _ := ari.PeekType(frame) // cheap: skip the types you do not use
	if !ari.IsCallEvent(typ) {
		return
	}
	ev, err := ari.Decode(frame)
	if err != nil {
		fmt.Println(err)
		return
	}
	switch e := ev.(type) {
	case *ari.Dial:
		fmt.Println(e.DialStatus, e.Peer.Name, e.Peer.Connected.Number, e.Peer.ChannelVars["CHANNEL(linkedid)"])
		fmt.Println(e.Timestamp.UTC().Format("15:04:05.000"))
	}
	// Output:
	// RINGING PJSIP/1001-00000001 +74951234567 1795748972.0
	// 03:09:32.790
}

// ExampleNodes shows the wiring in cmd/hotline: every node of
// HOTLINE_ARI_URL, the call-event filter, reconciliation on each connect.
func ExampleNodes() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfgs, err := ari.ParseNodes("pbx1=http://10.0.0.5:8088,pbx2=http://10.0.0.6:8088", "hotline", "secret", "hotline")
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range cfgs {
		node := cfgs[i].Node
		cfgs[i].Logger = logger
		cfgs[i].EventFilter = ari.CallEventTypes
		cfgs[i].OnConnect = func(ctx context.Context) {
			logger.Info("reconcile calls here (tracker.Reconcile)", "node", node)
		}
	}
	nodes, err := ari.NewNodes(cfgs)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range nodes.All() {
		fmt.Println(c.Node())
	}
	// In main: go nodes.Run(ctx, tracker.Handle)

	// Output:
	// pbx1
	// pbx2
}
