package notify_test

import (
	"testing"

	"hotline/crm/notify"
)

// TestBellCoalescesAndForgets: wakes of one user reach each of their
// bells once however many came (never blocking), other users' bells stay
// quiet, and a bell that stopped is not woken.
func TestBellCoalescesAndForgets(t *testing.T) {
	t.Parallel()
	b := notify.NewBell()
	first, stopFirst := b.Subscribe(1)
	second, stopSecond := b.Subscribe(1)
	other, stopOther := b.Subscribe(2)
	defer stopOther()
	for range 3 {
		b.Wake(1) // must not block though nobody reads yet
	}
	for name, ch := range map[string]<-chan struct{}{"first": first, "second": second} {
		select {
		case <-ch:
		default:
			t.Fatalf("%s bell not woken", name)
		}
		select {
		case <-ch:
			t.Fatalf("%s bell woken twice: wakes should coalesce", name)
		default:
		}
	}
	select {
	case <-other:
		t.Fatal("another user's bell woken")
	default:
	}
	stopFirst()
	b.Wake(1)
	select {
	case <-first:
		t.Fatal("a stopped bell was woken")
	default:
	}
	select {
	case <-second:
	default:
		t.Fatal("the open bell was not woken")
	}
	stopSecond()
	b.Wake(1) // nobody listens: nothing happens
}
