package resource_test

import (
	"testing"
	"time"

	"hotline/crm/resource"
)

func TestRussianLongDate(t *testing.T) {
	for _, tc := range []struct {
		day  time.Time
		want string
	}{
		{time.Date(2026, 12, 7, 23, 0, 0, 0, time.UTC), "7 декабря 2026 г."},
		{time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC), "31 января 2027 г."},
		{time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), "1 мая 2026 г."},
	} {
		if got := resource.RussianLongDate(tc.day); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.day, got, tc.want)
		}
	}
}

func TestRussianRoublesWords(t *testing.T) {
	for _, tc := range []struct {
		name    string
		kopecks int64
		want    string
	}{
		{"the issue's example", 120050, "одна тысяча двести рублей 50 копеек"},
		{"zero", 0, "ноль рублей 00 копеек"},
		{"one rouble one kopeck", 101, "один рубль 01 копейка"},
		{"two thousand two", 200202, "две тысячи два рубля 02 копейки"},
		{"teens", 1112, "одиннадцать рублей 12 копеек"},
		{"twenty-one thousand", 2100000, "двадцать одна тысяча рублей 00 копеек"},
		{"millions", 345678901234, "три миллиарда четыреста пятьдесят шесть миллионов семьсот восемьдесят девять тысяч двенадцать рублей 34 копейки"},
		{"eleven thousand", 1100000, "одиннадцать тысяч рублей 00 копеек"},
		{"negative", -500, "минус пять рублей 00 копеек"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := resource.RussianRoublesWords(tc.kopecks); got != tc.want {
				t.Fatalf("%d: %q, want %q", tc.kopecks, got, tc.want)
			}
		})
	}
	if got := resource.RussianMoney(123456750); got != "1\u00a0234\u00a0567,50" {
		t.Fatalf("money %q", got)
	}
}
