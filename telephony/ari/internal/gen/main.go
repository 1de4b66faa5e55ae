// Command gen writes the Go types of package ari from the official ARI API
// description (Swagger 1.2 JSON, telephony/ari/spec, copied from Asterisk),
// with their fast readers, one file per resource: the resource models
// (Channel, Bridge, Playback, ...) by the spec file that defines them to
// models_<file>_gen.go, the WebSocket event models (every subtype of
// Message/Event in events.json) by what they are about to
// events_<subject>_gen.go, each type's reader to decode_<same>_gen.go, and
// the event type names with the functions over all of them to events_gen.go.
//
// Run it through `make generate` (`go generate ./telephony/ari`).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"log"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

type property struct {
	Type        string `json:"type"`
	Description string `json:"description"`
	Required    bool   `json:"required"`
}

type model struct {
	ID          string              `json:"id"`
	Description string              `json:"description"`
	SubTypes    []string            `json:"subTypes"`
	Properties  map[string]property `json:"properties"`
	order       []string            // property names in spec order
	file        string
}

type specFile struct {
	Models map[string]json.RawMessage `json:"models"`
}

func main() {
	specDir := flag.String("spec", "", "directory holding the ARI spec JSON files")
	outDir := flag.String("out", ".", "directory to write the *_gen.go files to")
	flag.Parse()
	if *specDir == "" {
		log.Fatal("gen: -spec is required")
	}
	models, err := loadModels(*specDir)
	if err != nil {
		log.Fatal(err)
	}
	if err := generate(models, *outDir); err != nil {
		log.Fatal(err)
	}
}

// generate writes the generated files to outDir (removing generated files
// of an earlier run that this one does not write): the types and their
// readers, one file of each per resource (files), and events_gen.go (the
// event type names and the functions over all of them).
func generate(models map[string]*model, outDir string) error {
	files := generated(models)
	old, err := filepath.Glob(filepath.Join(outDir, "*_gen.go"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if _, ok := files[filepath.Base(f)]; !ok {
			if err := os.Remove(f); err != nil {
				return fmt.Errorf("gen: remove stale %s: %w", f, err)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := write(filepath.Join(outDir, name), files[name]); err != nil {
			return err
		}
	}
	return nil
}

// generated returns every generated file by name: for each resource (the
// spec file of a model, the subject of an event) a file of its types and
// one of their readers, and events_gen.go.
func generated(models map[string]*model) map[string][]byte {
	events := eventNames(models)
	byGroup := map[string][]string{} // file stem -> type names
	for name, m := range models {
		switch {
		case name == "Message" || name == "Event":
		case slices.Contains(events, name):
			byGroup["events_"+eventGroup(name)] = append(byGroup["events_"+eventGroup(name)], name)
		case len(m.Properties) == 0: // "Dialed": an empty placeholder model
		default:
			g := "models_" + strings.ToLower(strings.TrimSuffix(m.file, ".json"))
			byGroup[g] = append(byGroup[g], name)
		}
	}
	files := map[string][]byte{"events_gen.go": genEventIndex(events)}
	for stem, names := range byGroup {
		sort.Strings(names)
		isEvent := strings.HasPrefix(stem, "events_")
		files[stem+"_gen.go"] = genTypes(models, names, isEvent)
		files["decode_"+stem+"_gen.go"] = genDecoders(models, names, isEvent)
	}
	return files
}

// channelActivity are the channel events of a call in progress (media,
// bridges, hold, transfers); the other channel events follow a channel's
// life (creation, state, dialplan, variables, end).
var channelActivity = []string{"ChannelDtmfReceived", "ChannelEnteredBridge", "ChannelLeftBridge", "ChannelHold",
	"ChannelUnhold", "ChannelTalkingStarted", "ChannelTalkingFinished", "ChannelToneDetected", "ChannelTransfer"}

// eventGroup is the resource an event is about, the file it goes to.
func eventGroup(name string) string {
	switch {
	case slices.Contains(channelActivity, name):
		return "channel_activity"
	case strings.HasPrefix(name, "Channel"):
		return "channel"
	case strings.HasPrefix(name, "Bridge"):
		return "bridge"
	case strings.HasPrefix(name, "Playback"), strings.HasPrefix(name, "Recording"):
		return "media"
	case strings.HasPrefix(name, "Stasis"), strings.HasPrefix(name, "Application"):
		return "application"
	}
	return "other" // dial, peers, endpoints, devices, text messages, REST over the socket
}

// loadModels reads every model of every spec file but resources.json.
func loadModels(dir string) (map[string]*model, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	models := map[string]*model{}
	for _, f := range files {
		if filepath.Base(f) == "resources.json" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("gen: %w", err)
		}
		var sf specFile
		if err := json.Unmarshal(b, &sf); err != nil {
			return nil, fmt.Errorf("gen: %s: %w", f, err)
		}
		for name, raw := range sf.Models {
			m := &model{file: filepath.Base(f)}
			if err := json.Unmarshal(raw, m); err != nil {
				return nil, fmt.Errorf("gen: %s model %s: %w", f, name, err)
			}
			m.order, err = propertyOrder(raw)
			if err != nil {
				return nil, fmt.Errorf("gen: %s model %s: %w", f, name, err)
			}
			models[name] = m
		}
	}
	return models, nil
}

// propertyOrder returns the property names in the order the spec lists them.
func propertyOrder(raw json.RawMessage) ([]string, error) {
	var outer struct {
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(raw, &outer); err != nil || len(outer.Properties) == 0 {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(outer.Properties))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var names []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		names = append(names, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// eventNames lists the concrete event models: subtypes of Message and Event.
func eventNames(models map[string]*model) []string {
	var names []string
	for _, base := range []string{"Message", "Event"} {
		for _, s := range models[base].SubTypes {
			if s != "Event" {
				names = append(names, s)
			}
		}
	}
	sort.Strings(names)
	return names
}

const header = "// Code generated by telephony/ari/internal/gen from telephony/ari/spec; DO NOT EDIT.\n\npackage ari\n\n"

// genTypes writes the Go types of names (events: with EventBase).
func genTypes(models map[string]*model, names []string, isEvent bool) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("import \"encoding/json\"\n\nvar _ json.RawMessage\n\n")
	for _, name := range names {
		m := models[name]
		if isEvent {
			comment(&b, "", name, m.Description, "ARI event "+name+".")
			fmt.Fprintf(&b, "type %s struct {\n\tEventBase\n", name)
		} else {
			comment(&b, "", name, m.Description, "ARI model "+name+" ("+m.file+").")
			fmt.Fprintf(&b, "type %s struct {\n", name)
		}
		fields(&b, models, m)
		b.WriteString("}\n\n")
	}
	return b.Bytes()
}

// genEventIndex writes the event type names and the functions over every
// event type.
func genEventIndex(names []string) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("// Event type names, as in the \"type\" key of each frame.\nconst (\n")
	for _, name := range names {
		fmt.Fprintf(&b, "\tType%s = %q\n", name, name)
	}
	b.WriteString(")\n\n")
	b.WriteString("// EventTypes lists every event type of the ARI spec, sorted.\nvar EventTypes = []string{\n")
	for _, name := range names {
		fmt.Fprintf(&b, "\tType%s,\n", name)
	}
	b.WriteString("}\n\n")
	b.WriteString("// newEvent returns a new zero event of the named type, or nil if the type is unknown.\n")
	b.WriteString("func newEvent(typ string) Event {\n\tswitch typ {\n")
	for _, name := range names {
		fmt.Fprintf(&b, "\tcase Type%s:\n\t\treturn new(%s)\n", name, name)
	}
	b.WriteString("\t}\n\treturn nil\n}\n\n")
	b.WriteString("// knownType reports whether typ is an event type of the spec.\n")
	b.WriteString("func knownType(typ string) bool {\n\tswitch typ {\n\tcase ")
	for i, name := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "Type%s", name)
	}
	b.WriteString(":\n\t\treturn true\n\t}\n\treturn false\n}\n\n")
	b.WriteString("// internType returns the constant for a known event type name without allocating.\n")
	b.WriteString("func internType(b []byte) (string, bool) {\n\tswitch string(b) {\n")
	for _, name := range names {
		fmt.Fprintf(&b, "\tcase Type%s:\n\t\treturn Type%s, true\n", name, name)
	}
	b.WriteString("\t}\n\treturn \"\", false\n}\n")
	return b.Bytes()
}

// baseProps are EventBase's keys, decoded for every event.
var baseProps = []struct{ key, field, typ string }{
	{"type", "Type", "string"}, {"timestamp", "Timestamp", "Time"},
	{"application", "Application", "string"}, {"asterisk_id", "AsteriskID", "string"},
}

// genDecoders writes a readJSON method per type of names (events: with the
// fields every event has) for the fast path of Decode.
func genDecoders(models map[string]*model, names []string, isEvent bool) []byte {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString("import \"encoding/json\"\n\nvar _ json.RawMessage\n\n")
	names = slices.Sorted(slices.Values(names))
	for _, name := range names {
		m := models[name]
		type field struct{ key, name, typ string }
		var fs []field
		if isEvent {
			for _, p := range baseProps {
				fs = append(fs, field{p.key, p.field, p.typ})
			}
		}
		for _, p := range m.order {
			typ, _ := goType(models, name, p, m.Properties[p])
			fs = append(fs, field{p, fieldName(p), typ})
		}
		keysVar := "keys" + name
		fmt.Fprintf(&b, "var %s = []string{", keysVar)
		for i, f := range fs {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", f.key)
		}
		b.WriteString("}\n\n")
		fmt.Fprintf(&b, "func (v *%s) readJSON(r *jsonReader) {\n", name)
		b.WriteString("\tif !r.objectStart() {\n\t\treturn\n\t}\n")
		b.WriteString("\tfor first := true; ; first = false {\n\t\tkey := r.nextKey(first)\n\t\tif key == nil {\n\t\t\treturn\n\t\t}\n")
		b.WriteString("\t\tswitch string(key) {\n")
		for _, f := range fs {
			fmt.Fprintf(&b, "\t\tcase %q:\n\t\t\t%s\n", f.key, readExpr("v."+f.name, f.typ))
		}
		fmt.Fprintf(&b, "\t\tdefault:\n\t\t\tr.unknownKey(key, %s)\n\t\t}\n\t}\n}\n\n", keysVar)
	}
	return b.Bytes()
}

// readExpr is the statement that reads a value of Go type typ into dst.
func readExpr(dst, typ string) string {
	switch typ {
	case "string":
		return dst + " = r.str()"
	case "int":
		return dst + " = r.int()"
	case "int64":
		return dst + " = r.int64()"
	case "float64":
		return dst + " = r.float64()"
	case "bool":
		return dst + " = r.bool()"
	case "Time":
		return dst + " = r.time()"
	case "[]string":
		return dst + " = r.stringSlice()"
	case "map[string]string":
		return dst + " = r.stringMap(" + dst + ")"
	case "json.RawMessage":
		return dst + " = r.raw()"
	case "[]json.RawMessage":
		return dst + " = r.readRawList()"
	}
	if elem, ok := strings.CutPrefix(typ, "[]"); ok {
		return dst + " = readList[" + elem + "](r)"
	}
	if elem, ok := strings.CutPrefix(typ, "*"); ok {
		return "if " + dst + " == nil {\n" + dst + " = new(" + elem + ")\n}\n" + dst + ".readJSON(r)"
	}
	return dst + ".readJSON(r)"
}

func fields(b *bytes.Buffer, models map[string]*model, m *model) {
	for _, p := range m.order {
		prop := m.Properties[p]
		goName := fieldName(p)
		typ, kind := goType(models, m.ID, p, prop)
		tag := p
		if !prop.Required {
			switch kind {
			case kindStruct:
				tag += ",omitzero"
			default:
				tag += ",omitempty"
			}
		}
		comment(b, "\t", goName, prop.Description, "The ARI key \""+p+"\".")
		fmt.Fprintf(b, "\t%s %s `json:%q`\n", goName, typ, tag)
	}
}

type typeKind int

const (
	kindScalar typeKind = iota
	kindStruct
	kindRef
)

// goType maps a Swagger type to Go. Optional model references become pointers,
// so that absent and empty can be told apart.
func goType(models map[string]*model, owner, name string, p property) (string, typeKind) {
	t := p.Type
	if strings.HasPrefix(t, "List[") {
		elem := strings.TrimSuffix(strings.TrimPrefix(t, "List["), "]")
		et, _ := goType(models, owner, name, property{Type: elem, Required: true})
		return "[]" + et, kindRef
	}
	switch t {
	case "string":
		return "string", kindScalar
	case "int":
		return "int", kindScalar
	case "long":
		return "int64", kindScalar
	case "double":
		return "float64", kindScalar
	case "boolean":
		return "bool", kindScalar
	case "Date":
		return "Time", kindStruct
	case "object":
		switch name {
		case "channelvars", "bridgevars", "variables":
			return "map[string]string", kindRef
		}
		return "json.RawMessage", kindRef
	}
	if _, ok := models[t]; !ok {
		log.Fatalf("gen: %s.%s: unknown type %q", owner, name, t)
	}
	if !p.Required {
		return "*" + t, kindRef
	}
	return t, kindStruct
}

// fieldNames spells the Go names of ARI keys that are several words run together.
var fieldNames = map[string]string{
	"accountcode":    "AccountCode",
	"bridgevars":     "BridgeVars",
	"channelvars":    "ChannelVars",
	"creationtime":   "CreationTime",
	"dialstatus":     "DialStatus",
	"dialstring":     "DialString",
	"eventname":      "EventName",
	"musicclass":     "MusicClass",
	"userevent":      "UserEvent",
	"tenantid":       "TenantID",
	"caller_rdnis":   "CallerRDNIS",
	"setid":          "SetID",
	"entity_id":      "EntityID",
	"roundtrip_usec": "RoundtripUsec",
}

var initialisms = map[string]string{
	"id": "ID", "ids": "IDs", "uri": "URI", "url": "URL", "rtt": "RTT", "ssrc": "SSRC",
	"uniqueid": "UniqueID", "rest": "REST",
}

func fieldName(key string) string {
	if n, ok := fieldNames[key]; ok {
		return n
	}
	var b strings.Builder
	for _, part := range strings.Split(key, "_") {
		if up, ok := initialisms[part]; ok {
			b.WriteString(up)
			continue
		}
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func comment(b *bytes.Buffer, indent, name, desc, fallback string) {
	desc = strings.Join(strings.Fields(desc), " ")
	if desc == "" {
		desc = fallback
	}
	if desc == "" {
		return
	}
	if !strings.HasSuffix(desc, ".") {
		desc += "."
	}
	fmt.Fprintf(b, "%s// %s: %s\n", indent, name, desc)
}

func write(path string, src []byte) error {
	out, err := format.Source(src)
	if err != nil {
		return fmt.Errorf("gen: format %s: %w\n%s", path, err, src)
	}
	return os.WriteFile(path, out, 0o644)
}
