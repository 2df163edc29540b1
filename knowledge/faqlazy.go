package knowledge

import (
	"sync"

	"github.com/pufabot/pufabot/knowledge/faq"
)

// startFAQMatcher returns a function giving the FAQ matcher of entries.
// Building it analyses every phrasing (tens of milliseconds, the largest
// cost of opening an engine), so it starts at once on another goroutine,
// overlapping the rest of the opening, and the first question that needs
// it waits for it. The goroutine ends when the build does.
func startFAQMatcher(entries []faq.Entry) func() *faqMatcher {
	get := sync.OnceValue(func() *faqMatcher { return newFAQMatcher(entries) })
	go get()
	return get
}
