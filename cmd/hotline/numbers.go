package main

import (
	"sync"

	"hotline/crm/phone"
)

// memoNormalize is the tracker's number normalizer: libphonenumber's parse
// costs more than folding the event it is for, and a call shows the same
// few numbers again and again, so the results are kept (up to 4096
// numbers; then the memo starts over).
func memoNormalize(norm phone.Normalizer) func(string) string {
	var mu sync.Mutex
	memo := map[string]string{}
	return func(n string) string {
		mu.Lock()
		v, ok := memo[n]
		mu.Unlock()
		if ok {
			return v
		}
		v, _ = norm.Lookup(n)
		mu.Lock()
		if len(memo) >= 4096 {
			clear(memo)
		}
		memo[n] = v
		mu.Unlock()
		return v
	}
}
