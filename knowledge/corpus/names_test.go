package corpus

import "testing"

func TestNamePartsForms(t *testing.T) {
	for _, c := range []struct{ name, base, version string }{
		{"中华人民共和国治安管理处罚法(2025-06-27).txt", "中华人民共和国治安管理处罚法", "2025-06-27"},
		{"治安管理处罚法（2025-06-27）.md", "治安管理处罚法", "2025-06-27"},
		{"治安管理处罚法_2025-06-27.txt", "治安管理处罚法", "2025-06-27"},
		{"治安管理处罚法 2025-06-27.txt", "治安管理处罚法", "2025-06-27"},
		{"治安管理处罚法（2025年6月27日修订）.txt", "治安管理处罚法", "2025-06-27"},
		{"治安管理处罚法（2025年修订）.txt", "治安管理处罚法", "2025"},
		{"治安管理处罚法(2025).txt", "治安管理处罚法", "2025"},
		{"宪法修正案（一）.md", "宪法修正案（一）", ""},
		{"治安管理处罚法.txt", "治安管理处罚法", ""},
		{"治安管理处罚法（2025年13月40日）.txt", "治安管理处罚法（2025年13月40日）", ""},
	} {
		base, v := nameParts(c.name)
		if base != c.base || v != c.version {
			t.Errorf("nameParts(%q) = %q, %q; want %q, %q", c.name, base, v, c.base, c.version)
		}
	}
}

func TestYearOnlyNameTakesTheHeaderDate(t *testing.T) {
	v, ev := headerVersion([]string{"（2005年8月28日第十届全国人民代表大会常务委员会第十七次会议通过　2025年6月27日第十四届全国人民代表大会常务委员会第十六次会议修订）"}, "2025")
	if v != "2025-06-27" || ev != "修订" {
		t.Fatalf("headerVersion = %q %q", v, ev)
	}
}
