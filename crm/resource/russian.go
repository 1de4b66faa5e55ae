package resource

import (
	"fmt"
	"strings"
	"time"
)

// Russian contracts write dates and sums their own way; these are the
// forms document templates offer (TemplateData.TodayLong, AmountWords).

var monthsGenitive = [12]string{"января", "февраля", "марта", "апреля", "мая", "июня",
	"июля", "августа", "сентября", "октября", "ноября", "декабря"}

// RussianLongDate is t's day in Russian long form: "7 декабря 2026 г.".
func RussianLongDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d г.", t.Day(), monthsGenitive[t.Month()-1], t.Year())
}

// russianPlural picks the form of a noun for n: one (1, 21), few (2-4,
// 22-24) or many (0, 5-20, 25...).
func russianPlural(n int64, one, few, many string) string {
	n %= 100
	switch {
	case n >= 11 && n <= 19:
		return many
	case n%10 == 1:
		return one
	case n%10 >= 2 && n%10 <= 4:
		return few
	}
	return many
}

var (
	unitsMasc = [...]string{"", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять",
		"десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать",
		"семнадцать", "восемнадцать", "девятнадцать"}
	tens     = [...]string{"", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто"}
	hundreds = [...]string{"", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот"}
)

// triadWords says 0 < n < 1000 in words; feminine for thousands ("одна",
// "две тысячи").
func triadWords(n int64, feminine bool) []string {
	var w []string
	if h := n / 100; h > 0 {
		w = append(w, hundreds[h])
	}
	n %= 100
	if n >= 20 {
		w = append(w, tens[n/10])
		n %= 10
	}
	if n > 0 {
		u := unitsMasc[n]
		if feminine && n == 1 {
			u = "одна"
		} else if feminine && n == 2 {
			u = "две"
		}
		w = append(w, u)
	}
	return w
}

// RussianNumberWords says a whole number of roubles in words (masculine):
// 1200 is "одна тысяча двести", 0 is "ноль".
func RussianNumberWords(n int64) string {
	if n == 0 {
		return "ноль"
	}
	var words []string
	if n < 0 {
		words, n = append(words, "минус"), -n
	}
	scales := []struct {
		size           int64
		one, few, many string
		feminine       bool
	}{
		{1_000_000_000_000, "триллион", "триллиона", "триллионов", false},
		{1_000_000_000, "миллиард", "миллиарда", "миллиардов", false},
		{1_000_000, "миллион", "миллиона", "миллионов", false},
		{1_000, "тысяча", "тысячи", "тысяч", true},
	}
	for _, s := range scales {
		if k := n / s.size; k > 0 {
			words = append(words, triadWords(k%1000, s.feminine)...)
			words = append(words, russianPlural(k, s.one, s.few, s.many))
			n %= s.size
		}
	}
	if n > 0 {
		words = append(words, triadWords(n, false)...)
	}
	return strings.Join(words, " ")
}

// RussianRoublesWords says a sum in kopecks as contracts write it:
// 120050 is "одна тысяча двести рублей 50 копеек".
func RussianRoublesWords(kopecks int64) string {
	sign := ""
	if kopecks < 0 {
		sign, kopecks = "минус ", -kopecks
	}
	r, k := kopecks/100, kopecks%100
	return fmt.Sprintf("%s%s %s %02d %s", sign, RussianNumberWords(r), russianPlural(r, "рубль", "рубля", "рублей"),
		k, russianPlural(k, "копейка", "копейки", "копеек"))
}

// RussianMoney writes kopecks as roubles with a space between thousands
// and a comma before kopecks: 120050 is "1 200,50".
func RussianMoney(kopecks int64) string {
	sign := ""
	if kopecks < 0 {
		sign, kopecks = "-", -kopecks
	}
	digits := fmt.Sprint(kopecks / 100)
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s%s,%02d", sign, b.String(), kopecks%100)
}
