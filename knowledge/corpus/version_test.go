package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

func TestHeaderVersion(t *testing.T) {
	cases := []struct {
		name         string
		meta         []string
		file         string
		version, evt string
	}{
		{"file date, amended that day",
			[]string{"2005年8月28日 第十届全国人民代表大会常务委员会第十七次会议通过",
				"2012年10月26日 第十一届全国人民代表大会常务委员会第二十九次会议《关于修改<中华人民共和国治安管理处罚法>的决定》修正"},
			"2012-10-26", "2012-10-26", "修正"},
		{"file date, revised that day",
			[]string{"1991年9月4日 …通过", "2020年10月17日 第十三届全国人民代表大会常务委员会第二十二次会议第二次修订"},
			"2020-10-17", "2020-10-17", "修订"},
		{"decision naming another law, then 修正",
			[]string{"2024年4月26日 第十四届…《关于修改〈中华人民共和国农业技术推广法〉、〈中华人民共和国未成年人保护法〉的决定》第二次修正）"},
			"2024-04-26", "2024-04-26", "修正"},
		{"file date absent from the header", []string{"2005年8月28日 通过"}, "2025-06-27", "2025-06-27", ""},
		{"undated file: adoption, not the 施行 date",
			[]string{"2020年5月28日 第十三届全国人民代表大会第三次会议通过", "2021年1月1日 施行"},
			"", "2020-05-28", "通过"},
		{"undated file: the latest amendment (刑法)",
			[]string{"1997年3月14日 第八届全国人民代表大会第五次会议修订",
				"2020年12月26日 第十三届…通过的《中华人民共和国刑法修正案（十一）》",
				"2023年12月29日 第十四届…通过的《中华人民共和国刑法修正案（十二）》"},
			"", "2023-12-29", "修正"},
		{"official one-line header of a plain text",
			[]string{"（2005年8月28日第十届全国人民代表大会常务委员会第十七次会议通过　2025年6月27日第十四届全国人民代表大会常务委员会第十六次会议修订）"},
			"", "2025-06-27", "修订"},
		{"published and in force the same day",
			[]string{"1982年12月4日 第五届全国人民代表大会第五次会议通过", "1982年12月4日 全国人民代表大会公告公布施行"},
			"", "1982-12-04", "公布"},
		{"impossible date ignored", []string{"2020年13月40日 通过"}, "", "", ""},
		{"no header", nil, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, e := headerVersion(c.meta, c.file)
			if v != c.version || e != c.evt {
				t.Errorf("headerVersion = %q, %q; want %q, %q", v, e, c.version, c.evt)
			}
		})
	}
}

// writeFiles writes name → content below dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNewerTextDroppedIn loads an old LawRefBook text and a newer plain
// text of the same law from two folders: the newer one is current.
func TestNewerTextDroppedIn(t *testing.T) {
	old, newer := t.TempDir(), t.TempDir()
	writeFiles(t, old, map[string]string{
		"行政法/治安管理处罚法(2012-10-26).md": "# 中华人民共和国治安管理处罚法\n\n2005年8月28日 通过\n\n" +
			"2012年10月26日 第十一届全国人民代表大会常务委员会第二十九次会议《关于修改<中华人民共和国治安管理处罚法>的决定》修正\n\n" +
			"<!-- INFO END -->\n\n第一条 旧的第一条。\n\n第二条 旧的第二条。",
	})
	writeFiles(t, newer, map[string]string{
		"中华人民共和国治安管理处罚法(2025-06-27).txt": "中华人民共和国治安管理处罚法\n" +
			"（2005年8月28日第十届全国人民代表大会常务委员会第十七次会议通过　2025年6月27日第十四届全国人民代表大会常务委员会第十六次会议修订）\n" +
			"第一条 新的第一条。\n第二条 新的第二条。\n第三条 新的第三条。\n",
	})
	c, warns, err := Load([]string{old, newer}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	laws := c.Lookup("治安管理处罚法")
	if len(laws) != 2 {
		t.Fatalf("versions = %d, want 2", len(laws))
	}
	cur, prev := laws[0], laws[1]
	if cur.Version != "2025-06-27" || cur.Event != "修订" || cur.Superseded || len(cur.Articles) != 3 {
		t.Errorf("current = %s %s superseded=%v, %d articles", cur.Version, cur.Event, cur.Superseded, len(cur.Articles))
	}
	if prev.Version != "2012-10-26" || prev.Event != "修正" || !prev.Superseded {
		t.Errorf("previous = %s %s superseded=%v", prev.Version, prev.Event, prev.Superseded)
	}
	if cur.Title != prev.Title {
		t.Errorf("titles differ: %q, %q", cur.Title, prev.Title)
	}
}

// TestUndatedVersionsKeepDistinctIDs: two undated files of one title whose
// headers give different versions are two versions with distinct IDs.
func TestUndatedVersionsKeepDistinctIDs(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeFiles(t, a, map[string]string{"示例法.md": "# 中华人民共和国示例法\n\n2010年1月1日 通过\n\n<!-- INFO END -->\n\n第一条 旧。"})
	writeFiles(t, b, map[string]string{"示例法.md": "# 中华人民共和国示例法\n\n2010年1月1日 通过\n\n2020年1月1日 修订\n\n<!-- INFO END -->\n\n第一条 新。"})
	c, _, err := Load([]string{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	laws := c.Lookup("示例法")
	if len(laws) != 2 || laws[0].ID == laws[1].ID {
		t.Fatalf("laws = %+v", laws)
	}
	if laws[0].Version != "2020-01-01" || laws[0].Superseded || !laws[1].Superseded {
		t.Errorf("newest %s superseded=%v, older superseded=%v", laws[0].Version, laws[0].Superseded, laws[1].Superseded)
	}
}

// TestRealVersions checks versions and how they were made on the shared
// corpus, including texts whose file names carry no date.
func TestRealVersions(t *testing.T) {
	c := loadReal(t)
	for _, w := range []struct{ law, version, event string }{
		{"治安管理处罚法", "2012-10-26", "修正"},
		{"民法典", "2020-05-28", "通过"},
		{"刑法", "2023-12-29", "修正"},
		{"宪法", "2018-03-11", "修正"},
		{"未成年人保护法", "2024-04-26", "修正"},
		{"反不正当竞争法", "2019-04-23", "修正"},
		{"网络安全法", "2016-11-07", "通过"},
	} {
		l := current(t, c, w.law)
		if l.Version != w.version || l.Event != w.event {
			t.Errorf("%s: version %s %s; want %s %s", w.law, l.Version, l.Event, w.version, w.event)
		}
	}
	// Some local regulations carry no date at all; every national text does.
	undated := 0
	for _, l := range c.Laws {
		if l.Version == "" && !l.Amendment && len(l.Articles) > 0 && !isLocalDir(filepath.Dir(l.Paths[0])) {
			undated++
			t.Logf("undated: %s", l.Paths[0])
		}
	}
	if undated > 0 {
		t.Errorf("%d texts with articles have no version", undated)
	}
}
