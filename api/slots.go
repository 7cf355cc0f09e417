package api

// slots is a counting semaphore that never waits: a request that finds
// every slot taken is refused at once, before it reads its body, so what
// waits holds no memory.
type slots chan struct{}

func newSlots(n int) slots { return make(slots, n) }

// take takes a slot if one is free and reports whether it did.
func (s slots) take() bool {
	select {
	case s <- struct{}{}:
		return true
	default:
		return false
	}
}

// free gives back a slot taken by take.
func (s slots) free() { <-s }
