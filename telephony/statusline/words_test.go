package statusline_test

import (
	"bytes"
	"strings"
	"testing"
	"text/template"
	"time"
)

// fakeWords reads the Russian phrases from a map (the catalogue's texts).
type fakeWords map[string]string

func (w fakeWords) T(_, key string, args map[string]any) string {
	var b bytes.Buffer
	template.Must(template.New(key).Parse(w[key])).Execute(&b, args)
	return b.String()
}

func (w fakeWords) N(lang, key string, n int, args map[string]any) string {
	return w.T(lang, key, args)
}

func (w fakeWords) Zone() *time.Location {
	z, _ := time.LoadLocation("Europe/Moscow")
	return z
}

func testWords(t *testing.T) fakeWords {
	t.Helper()
	w := fakeWords{
		"voice.status.greeting": "Здравствуйте! Вы позвонили в службу поддержки.", "voice.status.none": "Открытых заявок на ваш номер не найдено.",
		"voice.status.request": "Ваша заявка номер", "voice.status.state.in_progress": "в работе", "voice.status.state.new": "принята и ждёт ответа",
		"voice.status.state.waiting": "ждёт вашего ответа", "voice.status.assignee": "ответственный {{.Name}}",
		"voice.status.unassigned": "ответственный ещё не назначен", "voice.status.response_due": "срок ответа до {{.Time}} {{.Day}} {{.Month}}",
		"voice.status.resolve_due": "срок решения до {{.Time}} {{.Day}} {{.Month}}", "voice.status.month.12": "декабря",
		"voice.status.menu": "Чтобы прослушать ещё раз, нажмите один.", "voice.status.goodbye": "До свидания.",
		"voice.status.count": "У вас {{.Count}} открытые заявки.", "voice.status.agent": "Соединяю с оператором.",
	}
	for k := range w {
		if !strings.HasPrefix(k, "voice.status.") {
			t.Fatal(k)
		}
	}
	return w
}
