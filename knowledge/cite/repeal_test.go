package cite

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pufabot/pufabot/internal/shared"
)

// civilCodeRepealed are the laws repealed when the 民法典 took effect.
var civilCodeRepealed = []string{"婚姻法", "继承法", "民法通则", "收养法", "担保法", "合同法", "物权法", "侵权责任法", "民法总则"}

func TestRepealed(t *testing.T) {
	for _, law := range civilCodeRepealed {
		t.Run(law, func(t *testing.T) {
			r, ok := Repealed(law)
			if !ok {
				t.Fatalf("Repealed(%q) = false", law)
			}
			if r.Law != law || r.Title != "中华人民共和国"+law || r.RepealedOn != "2021-01-01" || r.ReplacedBy != "民法典" {
				t.Errorf("Repealed(%q) = %+v", law, r)
			}
			if !strings.HasPrefix(r.Note, "《"+r.Title+"》已于2021年1月1日") || !strings.HasSuffix(r.Note, "。") {
				t.Errorf("note %q", r.Note)
			}
		})
	}
	r, _ := Repealed("婚姻法")
	if want := "《中华人民共和国婚姻法》已于2021年1月1日民法典施行时废止，相关规定现在见《中华人民共和国民法典》婚姻家庭编。"; r.Note != want {
		t.Errorf("婚姻法 note = %q, want %q", r.Note, want)
	}
}

func TestRepealedOther(t *testing.T) {
	tests := []struct {
		name, in, law, replacedBy string
		ok                        bool
	}{
		{"written with title marks", "《中华人民共和国婚姻法》", "婚姻法", "民法典", true},
		{"alias", "民通", "民法通则", "民法典", true},
		{"public order regulation of 1986", "治安管理处罚条例", "治安管理处罚条例", "治安管理处罚法", true},
		{"food hygiene law", "食品卫生法", "食品卫生法", "食品安全法", true},
		{"civil code in force", "民法典", "", "", false},
		{"revised, not repealed", "治安管理处罚法", "", "", false},
		{"in force", "劳动合同法", "", "", false},
		{"empty", "", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := Repealed(tc.in)
			if ok != tc.ok || r.Law != tc.law || r.ReplacedBy != tc.replacedBy {
				t.Errorf("Repealed(%q) = %+v, %v", tc.in, r, ok)
			}
			if ok && (r.Note == "" || r.Title == "" || len(r.RepealedOn) != len("2006-01-02")) {
				t.Errorf("incomplete entry %+v", r)
			}
		})
	}
}

func TestSuccessor(t *testing.T) {
	tests := []struct {
		law     string
		article int
		suffix  string
		want    int
		ok      bool
	}{
		{"婚姻法", 32, "", 1079, true},
		{"婚姻法", 17, "", 1062, true},
		{"婚姻法", 18, "", 1063, true},
		{"婚姻法", 19, "", 1065, true},
		{"婚姻法", 20, "", 1059, true},
		{"婚姻法", 21, "", 1067, true},
		{"婚姻法", 28, "", 1074, true},
		{"婚姻法", 36, "", 1084, true},
		{"婚姻法", 37, "", 1085, true},
		{"婚姻法", 39, "", 1087, true},
		{"婚姻法", 46, "", 1091, true},
		{"婚姻法", 16, "", 0, false},
		{"婚姻法", 0, "", 0, false},
		{"《中华人民共和国婚姻法》", 32, "", 1079, true},
		{"继承法", 10, "", 1127, true},
		{"继承法", 13, "", 1130, true},
		{"继承法", 16, "", 1133, true},
		{"继承法", 17, "", 1134, true},
		{"收养法", 22, "", 1110, true},
		{"合同法", 8, "", 465, true},
		{"合同法", 52, "", 153, true},
		{"合同法", 107, "", 577, true},
		{"合同法", 114, "", 585, true},
		{"合同法", 196, "", 667, true},
		{"合同法", 211, "", 680, true},
		{"侵权责任法", 6, "", 1165, true},
		{"侵权责任法", 16, "", 1179, true},
		{"侵权责任法", 22, "", 1183, true},
		{"侵权责任法", 48, "", 1208, true},
		{"侵权责任法", 78, "", 1245, true},
		{"侵权责任法", 85, "", 1253, true},
		{"侵权法", 87, "", 1254, true},
		{"物权法", 106, "", 311, true},
		{"物权法", 149, "", 359, true},
		{"民法通则", 135, "", 188, true},
		{"民法总则", 1, "", 1, true},
		{"民法总则", 188, "", 188, true},
		{"民法总则", 204, "", 204, true},
		{"民法总则", 205, "", 1259, true},
		{"民法总则", 206, "", 0, false},
		{"担保法", 6, "", 681, true},
		{"担保法", 18, "", 688, true},
		{"婚姻法", 32, "之一", 0, false},
		{"民法典", 1079, "", 0, false},
		{"劳动法", 3, "", 0, false},
		{"", 1, "", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.law+"/"+itoa(tc.article)+tc.suffix, func(t *testing.T) {
			law, n, suf, ok := Successor(tc.law, tc.article, tc.suffix)
			if ok != tc.ok || n != tc.want || suf != "" {
				t.Fatalf("Successor(%q, %d, %q) = %q, %d, %q, %v; want %d, %v", tc.law, tc.article, tc.suffix, law, n, suf, ok, tc.want, tc.ok)
			}
			if ok && law != "民法典" || !ok && law != "" {
				t.Errorf("law = %q", law)
			}
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestSuccessorTables(t *testing.T) {
	total := 0
	for law, table := range successorTables {
		r, ok := repeals[law]
		if !ok || r.ReplacedBy != "民法典" {
			t.Errorf("successor table for %q, which is not listed as replaced by the 民法典", law)
		}
		for old, n := range table {
			if old < 1 || n < 1 || n > 1260 {
				t.Errorf("%s 第%d条 → %d is out of range", law, old, n)
			}
		}
		total += len(table)
	}
	if total < 500 {
		t.Errorf("only %d successor mappings", total)
	}
}

// civilCodeArticles reads the 民法典 from the corpus and returns the text of
// each article by number.
func civilCodeArticles(t *testing.T) map[int]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(shared.LawsDir(t), "民法典", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no 民法典 files: %v", err)
	}
	re := regexp.MustCompile(`^[第笫]\s*([零一二三四五六七八九十百千]+)\s*条`)
	arts := make(map[int]string)
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		cur := 0
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if m := re.FindStringSubmatch(line); m != nil {
				n, ok := parseNumeral([]rune(m[1]))
				if !ok {
					t.Fatalf("%s: bad article number in %q", f, line)
				}
				cur = n
				arts[cur] = line
				continue
			}
			if strings.HasPrefix(line, "#") {
				cur = 0
			} else if cur > 0 && line != "" {
				arts[cur] += "\n" + line
			}
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return arts
}

func TestSuccessorTargetsExist(t *testing.T) {
	arts := civilCodeArticles(t)
	if len(arts) != 1260 {
		t.Errorf("found %d 民法典 articles, want 1260", len(arts))
	}
	for law, table := range successorTables {
		for old := range table {
			_, n, _, ok := Successor(law, old, "")
			if !ok {
				t.Errorf("Successor(%q, %d) failed", law, old)
				continue
			}
			if _, ok := arts[n]; !ok {
				t.Errorf("%s 第%d条 → 民法典第%d条, which does not exist", law, old, n)
			}
		}
	}
	for old := 1; old <= 210; old++ {
		if _, n, _, ok := Successor("民法总则", old, ""); ok {
			if _, ok := arts[n]; !ok {
				t.Errorf("民法总则 第%d条 → 民法典第%d条, which does not exist", old, n)
			}
		}
	}
}

// TestSuccessorSubjects spot-checks that the new article deals with the same
// matter as the old one.
func TestSuccessorSubjects(t *testing.T) {
	arts := civilCodeArticles(t)
	tests := []struct {
		law     string
		article int
		keyword string
	}{
		{"婚姻法", 32, "感情确已破裂"},
		{"婚姻法", 17, "共同财产"},
		{"婚姻法", 18, "个人财产"},
		{"婚姻法", 21, "抚养费"},
		{"婚姻法", 22, "随父姓或者母姓"},
		{"婚姻法", 38, "探望"},
		{"婚姻法", 46, "损害赔偿"},
		{"继承法", 10, "第一顺序"},
		{"继承法", 11, "代位继承"},
		{"继承法", 17, "自书遗嘱"},
		{"收养法", 22, "保守收养秘密"},
		{"合同法", 52, "无效"},
		{"合同法", 114, "违约金"},
		{"合同法", 115, "双倍返还定金"},
		{"合同法", 196, "借款合同"},
		{"合同法", 211, "利率"},
		{"合同法", 229, "不影响租赁合同的效力"},
		{"侵权责任法", 22, "精神损害"},
		{"侵权责任法", 37, "安全保障义务"},
		{"侵权责任法", 48, "机动车"},
		{"侵权责任法", 78, "饲养的动物"},
		{"侵权责任法", 85, "脱落、坠落"},
		{"侵权责任法", 87, "抛掷物品"},
		{"物权法", 106, "无处分权人"},
		{"物权法", 74, "车位"},
		{"物权法", 89, "采光"},
		{"民法通则", 135, "诉讼时效期间为三年"},
		{"民法通则", 93, "管理他人事务"},
		{"民法总则", 188, "三年"},
		{"民法总则", 205, "以上"},
		{"担保法", 6, "保证合同"},
		{"担保法", 19, "一般保证"},
		{"担保法", 89, "定金"},
	}
	for _, tc := range tests {
		t.Run(tc.law+itoa(tc.article), func(t *testing.T) {
			_, n, _, ok := Successor(tc.law, tc.article, "")
			if !ok {
				t.Fatalf("no successor for %s 第%d条", tc.law, tc.article)
			}
			if !strings.Contains(arts[n], tc.keyword) {
				t.Errorf("%s 第%d条 → 民法典第%d条 does not mention %q: %.80s", tc.law, tc.article, n, tc.keyword, arts[n])
			}
		})
	}
}
