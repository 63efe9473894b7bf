package octoinvite

// Collection is one page of a collection in Octopus's wire shape: the server writes it and the
// client reads it. Links holds Self, Template, Page.All, Page.Current, Page.Last and, while more
// pages remain, Page.Next.
type Collection[T any] struct {
	ItemType       string `json:"ItemType"`
	TotalResults   int    `json:"TotalResults"`
	ItemsPerPage   int    `json:"ItemsPerPage"`
	NumberOfPages  int    `json:"NumberOfPages"`
	LastPageNumber int    `json:"LastPageNumber"`
	Items          []T    `json:"Items"`
	Links          Links  `json:"Links"`
}

// Page returns the items of the collection with its total, as the services return them.
func (c *Collection[T]) Page() Page[T] {
	return Page[T]{Items: c.Items, Total: c.TotalResults}
}
