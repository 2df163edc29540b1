package cite

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pufabot/pufabot/internal/shared"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"title marks", "《民法典》", "民法典"},
		{"state prefix", "中华人民共和国民法典", "民法典"},
		{"prefix in title marks", "《中华人民共和国民法典》", "民法典"},
		{"消法", "消法", "消费者权益保护法"},
		{"消保法", "消保法", "消费者权益保护法"},
		{"消费者权益法", "消费者权益法", "消费者权益保护法"},
		{"full name unchanged", "消费者权益保护法", "消费者权益保护法"},
		{"未保法", "未保法", "未成年人保护法"},
		{"反诈法", "反诈法", "反电信网络诈骗法"},
		{"个保法", "个保法", "个人信息保护法"},
		{"个人信息法", "个人信息法", "个人信息保护法"},
		{"治安法", "治安法", "治安管理处罚法"},
		{"治安处罚法", "治安处罚法", "治安管理处罚法"},
		{"劳动法", "劳动法", "劳动法"},
		{"劳动合同法", "劳动合同法", "劳动合同法"},
		{"劳合法", "劳合法", "劳动合同法"},
		{"道交法", "道交法", "道路交通安全法"},
		{"交通安全法", "交通安全法", "道路交通安全法"},
		{"土地承包法", "土地承包法", "农村土地承包法"},
		{"家暴法", "家暴法", "反家庭暴力法"},
		{"反家暴法", "反家暴法", "反家庭暴力法"},
		{"妇女权益保障法", "妇女权益保障法", "妇女权益保障法"},
		{"妇女法", "妇女法", "妇女权益保障法"},
		{"老年人法", "老年人法", "老年人权益保障法"},
		{"老年法", "老年法", "老年人权益保障法"},
		{"刑诉法", "刑诉法", "刑事诉讼法"},
		{"民诉法", "民诉法", "民事诉讼法"},
		{"行诉法", "行诉法", "行政诉讼法"},
		{"国安法", "国安法", "国家安全法"},
		{"香港国安法", "香港国安法", "香港特别行政区维护国家安全法"},
		{"公司法", "公司法", "公司法"},
		{"禁毒法", "禁毒法", "禁毒法"},
		{"调解法", "调解法", "人民调解法"},
		{"援助法", "援助法", "法律援助法"},
		{"食安法", "食安法", "食品安全法"},
		{"民通", "民通", "民法通则"},
		{"侵权法", "侵权法", "侵权责任法"},
		{"angle marks and spaces", " 〈中华人民共和国 消法〉 ", "消费者权益保护法"},
		{"ASCII angle marks", "<民法典>", "民法典"},
		{"full-width angle marks", "＜民法典＞", "民法典"},
		{"quotes", "“婚姻法”", "婚姻法"},
		{"invisible characters", "\u200b民法\u200d典\u200f", "民法典"},
		{"version note in ASCII brackets", "公司法(2023修订)", "公司法"},
		{"version note with a date", "《公司法（2018-10-26）》", "公司法"},
		{"full-width digits in note", "公司法（２０１８年修正）", "公司法"},
		{"ordinal kept, brackets unified", "刑法修正案(十一)", "刑法修正案（十一）"},
		{"trial version kept", "企业破产法（试行）", "企业破产法（试行）"},
		{"civil code part", "民法典婚姻家庭编", "民法典"},
		{"bare civil code part", "《婚姻家庭编》", "民法典"},
		{"unknown name unchanged", "某某市养犬管理规定", "某某市养犬管理规定"},
		{"invalid bytes dropped", "民法\xff典", "民法典"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Canonical(tc.in)
			if !ok || got != tc.want {
				t.Errorf("Canonical(%q) = %q, %v; want %q, true", tc.in, got, ok, tc.want)
			}
		})
	}
}

func TestCanonicalEmpty(t *testing.T) {
	for _, in := range []string{"", "《》", "中华人民共和国", "《中华人民共和国》", "  \u3000", "\u200b", "\xff\xfe", "“”"} {
		if got, ok := Canonical(in); ok || got != "" {
			t.Errorf("Canonical(%q) = %q, %v; want \"\", false", in, got, ok)
		}
	}
}

func TestAliasTable(t *testing.T) {
	if len(aliases) < 60 {
		t.Errorf("alias table has %d entries, want at least 60", len(aliases))
	}
	for k, v := range aliases {
		if k == v {
			t.Errorf("alias %q maps to itself", k)
		}
		if _, ok := aliases[v]; ok {
			t.Errorf("alias target %q is itself an alias key", v)
		}
		if got, _ := Canonical(k); got != v {
			t.Errorf("Canonical(%q) = %q, want %q", k, got, v)
		}
		if got, _ := Canonical(v); got != v {
			t.Errorf("Canonical(%q) = %q, want it unchanged", v, got)
		}
		if got, _ := Canonical(statePrefix + k); got != v {
			t.Errorf("Canonical(%q) = %q, want %q", statePrefix+k, got, v)
		}
	}
}

// corpusNames returns the short names of the laws and regulations in the
// corpus, taken from the file names (<short name>(<date>).md).
func corpusNames(t *testing.T) map[string]bool {
	t.Helper()
	dir := shared.LawsDir(t)
	names := make(map[string]bool)
	for _, folder := range []string{"宪法", "宪法相关法", "民法典", "民法商法", "行政法", "经济法", "社会法", "刑法", "诉讼与非诉讼程序法", "行政法规", "部门规章"} {
		err := filepath.WalkDir(filepath.Join(dir, folder), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
				return err
			}
			name := strings.TrimSuffix(d.Name(), ".md")
			if i := strings.Index(name, "("); i >= 0 {
				name = name[:i]
			}
			names[name] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	names["民法典"] = true
	return names
}

func TestAliasTargetsInCorpus(t *testing.T) {
	names := corpusNames(t)
	for k, v := range aliases {
		if _, repealed := repeals[v]; repealed {
			continue
		}
		if !names[v] {
			t.Errorf("alias %q → %q: no such law in the corpus", k, v)
		}
	}
}

func TestKnownNamesInCorpus(t *testing.T) {
	names := corpusNames(t)
	for _, list := range [][]string{nationalLaws, commonRegulations} {
		for _, n := range list {
			if !names[n] {
				t.Errorf("%q is not in the corpus", n)
			}
		}
	}
}
