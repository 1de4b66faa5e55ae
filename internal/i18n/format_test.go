package i18n

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// nb makes a test's expected strings readable: '_' stands for a no-break space.
func nb(s string) string { return strings.ReplaceAll(s, "_", "\u00a0") }

func TestTimesInTheCentresZone(t *testing.T) {
	c := mustLoad(t, Options{})
	ru, en := c.For(Russian), c.For(English)
	at := time.Date(2026, 12, 7, 11, 5, 0, 0, time.UTC) // 14:05 in Moscow
	if got := ru.DateTime(at); got != "07.12.2026 14:05" {
		t.Errorf("ru DateTime = %q", got)
	}
	if got := ru.Date(at); got != "07.12.2026" {
		t.Errorf("ru Date = %q", got)
	}
	if got := ru.Time(at); got != "14:05" {
		t.Errorf("ru Time = %q", got)
	}
	if got := en.DateTime(at); got != "7 Dec 2026 14:05" {
		t.Errorf("en DateTime = %q", got)
	}
	late := time.Date(2026, 12, 7, 23, 30, 0, 0, time.UTC) // the next Moscow day
	if got := ru.Date(late); got != "08.12.2026" {
		t.Errorf("23:30 UTC is %q in Moscow, want 08.12.2026", got)
	}
	if ru.DateTime(time.Time{}) != "" {
		t.Error("zero time shown")
	}
	vl, _ := time.LoadLocation("Asia/Vladivostok")
	if got := mustLoad(t, Options{Zone: vl}).For(Russian).Time(at); got != "21:05" {
		t.Errorf("Vladivostok Time = %q", got)
	}
	mustLoad(t, Options{})
}

func TestNumbers(t *testing.T) {
	c := mustLoad(t, Options{})
	ru, en := c.For(Russian), c.For(English)
	for _, tc := range []struct {
		got, want string
	}{
		{ru.Number(1234567), nb("1_234_567")},
		{ru.Number(1234), nb("1_234")},
		{ru.Number(999), "999"},
		{ru.Number(-1000), nb("-1_000")},
		{ru.Number(math.MinInt64), nb("-9_223_372_036_854_775_808")},
		{en.Number(1234567), "1,234,567"},
		{ru.Decimal(123456789, 2), nb("1_234_567,89")},
		{ru.Decimal(5, 2), "0,05"},
		{ru.Decimal(-5, 2), "-0,05"},
		{ru.Decimal(100, 0), "100"},
		{en.Decimal(123456789, 2), "1,234,567.89"},
		{ru.Money(123456, "RUB"), nb("1_234,56_₽")},
		{ru.Money(62000000, "rub"), nb("620_000,00_₽")},
		{ru.Money(-150, "RUB"), nb("-1,50_₽")},
		{ru.Money(1000, "USD"), nb("10,00_$")},
		{ru.Money(1000, "JPY"), nb("1_000_¥")},
		{en.Money(123456, "USD"), "$1,234.56"},
		{en.Money(-123456, "USD"), "-$1,234.56"},
		{ru.Money(100, "XXQ"), nb("1,00_XXQ")},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestParseMoney(t *testing.T) {
	for _, tc := range []struct {
		in, cur string
		want    int64
	}{
		{"1234,56", "RUB", 123456},
		{"1234.56", "RUB", 123456},
		{"1 234,5", "RUB", 123450},
		{nb("1_234_567,89"), "RUB", 123456789},
		{"620000", "RUB", 62000000},
		{"  10 ₽ ", "RUB", 1000},
		{"-5,5", "RUB", -550},
		{",5", "RUB", 50},
		{"0", "RUB", 0},
		{"1000", "JPY", 1000},
		{"12.3", "usd", 1230},
	} {
		got, err := ParseMoney(tc.in, tc.cur)
		if err != nil || got != tc.want {
			t.Errorf("ParseMoney(%q, %s) = %d, %v; want %d", tc.in, tc.cur, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, cur string }{
		{"", "RUB"}, {"abc", "RUB"}, {"1,234.56", "RUB"}, {"1.2.3", "RUB"}, {"1,234", "RUB"},
		{"12,5", "JPY"}, {"1e5", "RUB"}, {"99999999999999999999", "RUB"}, {"10", "XXQ"}, {"--5", "RUB"}, {"5-", "RUB"},
	} {
		if got, err := ParseMoney(tc.in, tc.cur); err == nil || !errors.Is(err, ErrMoney) {
			t.Errorf("ParseMoney(%q, %s) = %d, %v; want ErrMoney", tc.in, tc.cur, got, err)
		}
	}
}

func TestPhone(t *testing.T) {
	l := mustLoad(t, Options{}).For(Russian)
	for in, want := range map[string]string{
		"+79123456789":  "+7 912 345-67-89",
		"+74951234567":  "+7 495 123-45-67",
		"+442071838750": "+44 20 7183 8750",
		"1001":          "1001",
		"":              "",
	} {
		if got := l.Phone(in); got != want {
			t.Errorf("Phone(%q) = %q, want %q", in, got, want)
		}
	}
}
