package web

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pufabot/pufabot/knowledge"
)

// TestPagesShowLawRevisions: on the web too, the answer card, the article
// page and a question about a law that is not loaded warn before any text.
func TestPagesShowLawRevisions(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	eng, err := knowledge.Open(context.Background(), knowledge.Options{
		DataDir: t.TempDir(),
		Laws:    []string{filepath.Join("..", "knowledge", "testdata", "currency", "old")},
		Now:     func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	h := newHarness(t, func(o *Options) { o.Knowledge = eng })
	c := h.browser()
	const warning = "以下引用的《中华人民共和国治安管理处罚法》是2012年修正的文本，该法已于2025年6月27日修订，2026年1月1日起施行"

	r := h.form(c, "/ask", url.Values{"q": {"打架了派出所会怎么处罚"}})
	if !strings.Contains(r.body, warning) || !strings.Contains(r.body, "《中华人民共和国治安管理处罚法》（2012年修正）第") {
		t.Fatalf("answer page lacks the version or the warning:\n%s", r.body)
	}
	i := strings.Index(r.body, `href="/articles/`)
	if i < 0 {
		t.Fatalf("no article link:\n%s", r.body)
	}
	link := r.body[i+len(`href="`):]
	link = link[:strings.IndexByte(link, '"')]
	if art := h.do(c, "GET", link, "", ""); !strings.Contains(art.body, warning) {
		t.Errorf("article page %s lacks the warning:\n%s", link, art.body)
	}

	m := h.postJSON(c, "/api/v1/ask", map[string]string{"question": "打架了派出所会怎么处罚"}).json(t)
	if cur, _ := m["currency"].([]any); len(cur) != 1 {
		t.Errorf("api currency = %v", m["currency"])
	}

	more := h.do(c, "GET", "/more?q="+url.QueryEscape("打架了派出所会怎么处罚")+"&offset=3", "", "")
	if !strings.Contains(more.body, warning) {
		t.Errorf("more page lacks the warning:\n%s", more.body)
	}

	r = h.form(c, "/ask", url.Values{"q": {"民营经济促进法有哪些规定"}})
	if n := strings.Count(r.body, "本机的法律库还没有收录这部法律的全文"); n != 1 || strings.Contains(r.body, "抱歉") {
		t.Errorf("missing-law page (note shown %d times):\n%s", n, r.body)
	}
}
