package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func zzOpts() Options {
	var dirs []string
	for _, d := range strings.Split("宪法 宪法相关法 民法典 民法商法 行政法 经济法 社会法 刑法 诉讼与非诉讼程序法 司法解释 行政法规 部门规章", " ") {
		dirs = append(dirs, filepath.Join("/work/shared/laws", d))
	}
	return Options{DataDir: os.Getenv("ZZ_DATA"), Laws: dirs}
}

func TestZZProfOpen(t *testing.T) {
	if os.Getenv("ZZ_DATA") == "" {
		t.Skip()
	}
	n := 10
	if os.Getenv("ZZ_N") != "" {
		n = 1
	}
	for i := 0; i < n; i++ {
		e, err := Open(context.Background(), zzOpts())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Answer(context.Background(), "公司不给加班费怎么办"); err != nil {
			t.Fatal(err)
		}
		e.Close()
	}
}
