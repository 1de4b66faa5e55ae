package kb

// Category is a knowledge-base category, with how many articles it holds.
type Category struct {
	ID       int64
	Name     string
	Articles int
}
