package knowledge

import (
	"strings"
	"testing"
)

// TestProgressOneLinePerStage checks the output for a log file: one line
// per finished stage with its count, nothing for a stage with no work.
func TestProgressOneLinePerStage(t *testing.T) {
	var b strings.Builder
	p := newProgress(&b)
	p.update("读取法规文件", 0, 0)
	for i := 1; i <= 300; i++ {
		p.update("读取法规文件", i, 300)
	}
	for i := 0; i <= 5000; i += 1000 {
		p.update("建立索引", i, 5000)
	}
	p.finish()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "读取法规文件 300/300（") || !strings.HasPrefix(lines[1], "建立索引 5000/5000（") {
		t.Errorf("progress lines:\n%s", b.String())
	}
}
