package cite

import "testing"

func TestParseVersion(t *testing.T) {
	tests := []struct {
		text, law string
		article   int
		version   string
	}{
		{"治安管理处罚法(2012)第四十三条", "治安管理处罚法", 43, "2012"},
		{"《治安管理处罚法》（2012年修正）第43条", "治安管理处罚法", 43, "2012"},
		{"中华人民共和国治安管理处罚法（2012-10-26）第43条", "治安管理处罚法", 43, "2012-10-26"},
		{"治安法（２０１２年10月26日修正）第43条", "治安管理处罚法", 43, "2012-10-26"},
		{"《公司法（2018年修正）》第5条", "公司法", 5, "2018"},
		{"公司法（2023修订）第5条", "公司法", 5, "2023"},
		{"治安管理处罚法第43条", "治安管理处罚法", 43, ""},
		{"《刑法修正案（十一）》第一条", "刑法修正案（十一）", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			refs := Parse(tt.text)
			if len(refs) != 1 {
				t.Fatalf("Parse = %+v", refs)
			}
			r := refs[0]
			if r.Law != tt.law || r.Article != tt.article || r.Version != tt.version {
				t.Errorf("Parse = %s 第%d条 version %q; want %s 第%d条 version %q", r.Law, r.Article, r.Version, tt.law, tt.article, tt.version)
			}
		})
	}
	// A citation inheriting its law inherits the version too.
	refs := Parse("治安管理处罚法（2012年修正）第四十三条和第四十四条")
	if len(refs) != 2 || refs[1].Version != "2012" || refs[1].Article != 44 {
		t.Errorf("inherited: %+v", refs)
	}
}

func TestMatchesVersion(t *testing.T) {
	for _, c := range []struct {
		version, asked string
		want           bool
	}{
		{"2012-10-26", "2012", true},
		{"2012-10-26", "2012-10-26", true},
		{"2012-10-26", "2012-10-27", false},
		{"2012-10-26", "2013", false},
		{"2012-10-26", "", false},
		{"", "2012", false},
	} {
		if got := MatchesVersion(c.version, c.asked); got != c.want {
			t.Errorf("MatchesVersion(%q, %q) = %v", c.version, c.asked, got)
		}
	}
}
