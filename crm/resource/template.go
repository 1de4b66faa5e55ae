package resource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"reflect"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"hotline/crm"
)

// Template limits. A document template is written by any agent and run by
// the server, so what it may do is bounded before it runs (CheckTemplate)
// and while it runs (FillTemplate).
const (
	// MaxRangeDepth is how deeply {{range}} may nest.
	MaxRangeDepth = 2
	// TemplateTimeout is the longest one fill may run, however patient the
	// client.
	TemplateTimeout = 5 * time.Second
)

// CheckTemplate parses a text or HTML template and refuses what could make
// it run unbounded: {{range}} over anything but a list or map in the data
// (a number such as {{range 60000000}}, a function's result, a variable it
// cannot follow), ranges nested deeper than MaxRangeDepth, and
// {{define}}/{{template}}/{{block}}, whose recursion has no bound. The error
// is a crm.KindInvalid naming "content".
func CheckTemplate(tmpl []byte) error {
	trees, err := parse.Parse("doc", string(tmpl), "", "", templateFuncs())
	if err != nil {
		return crm.Invalid("content", "template: %s", strings.TrimPrefix(err.Error(), "template: "))
	}
	if len(trees) > 1 {
		return crm.Invalid("content", "template: {{define}} and {{block}} are not allowed")
	}
	tree := trees["doc"]
	if tree == nil || tree.Root == nil {
		return nil
	}
	c := templateChecker{vars: map[string]reflect.Type{"$": reflect.TypeFor[TemplateData]()}}
	if err := c.list(tree.Root, reflect.TypeFor[TemplateData](), 0); err != nil {
		return crm.Invalid("content", "template: %v", err)
	}
	return nil
}

// templateFuncs are the names parse must know: the builtins of text/template
// and those html/template adds.
func templateFuncs() map[string]any {
	funcs := map[string]any{}
	for _, n := range []string{"and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf", "println",
		"urlquery", "eq", "ge", "gt", "le", "lt", "ne"} {
		funcs[n] = fmt.Sprint
	}
	return funcs
}

// templateChecker walks a parse tree knowing, where it can, the type of dot
// and of the variables.
type templateChecker struct {
	vars map[string]reflect.Type // nil type: unknown
}

func (c templateChecker) list(l *parse.ListNode, dot reflect.Type, depth int) error {
	if l == nil {
		return nil
	}
	for _, n := range l.Nodes {
		if err := c.node(n, dot, depth); err != nil {
			return err
		}
	}
	return nil
}

func (c templateChecker) node(n parse.Node, dot reflect.Type, depth int) error {
	switch n := n.(type) {
	case *parse.TemplateNode:
		return errors.New("{{template}} is not allowed")
	case *parse.ActionNode:
		c.declare(n.Pipe, nil)
	case *parse.IfNode:
		if err := c.list(n.List, dot, depth); err != nil {
			return err
		}
		return c.list(n.ElseList, dot, depth)
	case *parse.WithNode:
		if err := c.list(n.List, c.typeOf(n.Pipe, dot), depth); err != nil {
			return err
		}
		return c.list(n.ElseList, dot, depth)
	case *parse.RangeNode:
		return c.rangeNode(n, dot, depth)
	}
	return nil
}

func (c templateChecker) rangeNode(n *parse.RangeNode, dot reflect.Type, depth int) error {
	if depth >= MaxRangeDepth {
		return fmt.Errorf("line %d: {{range}} nested more than %d deep", n.Line, MaxRangeDepth)
	}
	t := c.typeOf(n.Pipe, dot)
	if t == nil {
		return fmt.Errorf("line %d: {{range}} only over a list of the data, such as .Client.Contacts or .Client.Tags", n.Line)
	}
	var key, elem reflect.Type
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		key, elem = reflect.TypeFor[int](), t.Elem()
	case reflect.Map:
		key, elem = t.Key(), t.Elem()
	default:
		return fmt.Errorf("line %d: {{range}} over %s is not allowed, only over a list of the data such as .Client.Contacts", n.Line, t.Kind())
	}
	inner := templateChecker{vars: map[string]reflect.Type{}}
	for k, v := range c.vars {
		inner.vars[k] = v
	}
	switch len(n.Pipe.Decl) {
	case 1:
		inner.vars[n.Pipe.Decl[0].Ident[0]] = elem
	case 2:
		inner.vars[n.Pipe.Decl[0].Ident[0]], inner.vars[n.Pipe.Decl[1].Ident[0]] = key, elem
	}
	if err := inner.list(n.List, elem, depth+1); err != nil {
		return err
	}
	return c.list(n.ElseList, dot, depth)
}

// declare records variables an action declares; their type is unknown.
func (c templateChecker) declare(p *parse.PipeNode, t reflect.Type) {
	if p == nil {
		return
	}
	for _, v := range p.Decl {
		c.vars[v.Ident[0]] = t
	}
}

// typeOf is the type a pipeline yields when it is a plain field chain on
// dot or on a variable of known type; nil otherwise.
func (c templateChecker) typeOf(p *parse.PipeNode, dot reflect.Type) reflect.Type {
	if p == nil || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return nil
	}
	switch a := p.Cmds[0].Args[0].(type) {
	case *parse.DotNode:
		return dot
	case *parse.FieldNode:
		return fieldChain(dot, a.Ident)
	case *parse.VariableNode:
		return fieldChain(c.vars[a.Ident[0]], a.Ident[1:])
	}
	return nil
}

// fieldChain follows exported fields, zero-argument methods and string-keyed
// map entries from t; nil when any step is unknown.
func fieldChain(t reflect.Type, idents []string) reflect.Type {
	for _, id := range idents {
		if t == nil {
			return nil
		}
		if m, ok := t.MethodByName(id); ok && m.Type.NumIn() == 1 && m.Type.NumOut() >= 1 {
			t = m.Type.Out(0)
			continue
		}
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Struct:
			f, ok := t.FieldByName(id)
			if !ok || !f.IsExported() {
				return nil
			}
			t = f.Type
		case reflect.Map:
			if t.Key().Kind() != reflect.String {
				return nil
			}
			t = t.Elem()
		default:
			return nil
		}
	}
	return t
}

// FillTemplate executes a text or HTML template (html/template escapes the
// client's fields in HTML) and returns the result. The template must pass
// CheckTemplate; its output is capped at maxSize bytes and it stops when ctx
// ends (the client gave up) or after TemplateTimeout.
func FillTemplate(ctx context.Context, contentType string, tmpl []byte, data TemplateData, maxSize int) ([]byte, error) {
	if !strings.HasPrefix(contentType, "text/") {
		return nil, crm.Errorf(crm.KindInvalid, "only text and HTML documents are templates, this is %s", contentType)
	}
	if err := CheckTemplate(tmpl); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, TemplateTimeout)
	defer cancel()
	var buf bytes.Buffer
	w := &budgetWriter{ctx: ctx, buf: &buf, max: maxSize}
	var err error
	if strings.HasPrefix(contentType, "text/html") {
		var t *htmltemplate.Template
		if t, err = htmltemplate.New("doc").Option("missingkey=error").Parse(string(tmpl)); err == nil {
			err = t.Execute(w, data)
		}
	} else {
		var t *template.Template
		if t, err = template.New("doc").Option("missingkey=error").Parse(string(tmpl)); err == nil {
			err = t.Execute(w, data)
		}
	}
	switch {
	case err == nil:
		return buf.Bytes(), nil
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		return nil, crm.Errorf(crm.KindInvalid, "template: ran longer than %s", TemplateTimeout)
	case errors.Is(err, context.Canceled):
		return nil, crm.Errorf(crm.KindInvalid, "template: stopped, the request ended")
	}
	return nil, crm.Errorf(crm.KindInvalid, "template: %v", err)
}

// budgetWriter caps a template's output and stops it once ctx is done.
type budgetWriter struct {
	ctx context.Context
	buf *bytes.Buffer
	max int
}

func (w *budgetWriter) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	if w.buf.Len()+len(p) > w.max {
		return 0, fmt.Errorf("output over %d bytes", w.max)
	}
	return w.buf.Write(p)
}
