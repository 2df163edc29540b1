package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// numericKeys lists the dotted YAML path of every numeric setting in
// Config (integers, floats, durations, and lists of them as key[0]).
func numericKeys(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		if prefix != "" {
			name = prefix + "." + name
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Slice {
			name += "[0]"
			ft = ft.Elem()
		}
		switch ft.Kind() {
		case reflect.Struct:
			out = append(out, numericKeys(ft, name)...)
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
			reflect.Float32, reflect.Float64:
			out = append(out, name)
		}
	}
	return out
}

// yamlFor writes value at a dotted key such as telegram.admins[0].
func yamlFor(key, value string) string {
	if field, ok := strings.CutPrefix(key, "offices[0]."); ok {
		// One valid office with the field under test replaced.
		o := map[string]string{"id": "shiqiao", "name": "石桥镇司法所", "staff_chat": "-1001"}
		list, isList := strings.CutSuffix(field, "[0]")
		b := "offices:\n  - id: " + o["id"] + "\n"
		for _, k := range []string{"name", "staff_chat"} {
			if k != field {
				b += "    " + k + ": " + o[k] + "\n"
			}
		}
		if isList {
			return b + "    " + list + ": [" + value + "]\n"
		}
		return b + "    " + field + ": " + value + "\n"
	}
	parts := strings.Split(key, ".")
	var b strings.Builder
	for i, p := range parts {
		indent := strings.Repeat("  ", i)
		if list, ok := strings.CutSuffix(p, "[0]"); ok {
			fmt.Fprintf(&b, "%s%s:\n%s  - %s\n", indent, list, indent, value)
			return b.String()
		}
		if i == len(parts)-1 {
			fmt.Fprintf(&b, "%s%s: %s\n", indent, p, value)
		} else {
			fmt.Fprintf(&b, "%s%s:\n", indent, p)
		}
	}
	return b.String()
}

// Every numeric setting is bounded: zero, negative, huge and overflowing
// values are either sane or refused with an error naming the key.
func TestNumericKeysAreBounded(t *testing.T) {
	const (
		maxInt64  = "9223372036854775807"
		overInt64 = "9223372036854775808"
	)
	type value struct {
		yaml string
		ok   bool
	}
	table := map[string][]value{
		"telegram.admins[0]": {{"0", false}, {"-1", false}, {"1", true}, {"7000000000", true},
			{fmt.Sprint(MaxTelegramID + 1), false}, {maxInt64, false}, {overInt64, false}},
		"county_admins[0]": {{"0", false}, {"-1", false}, {"1", true},
			{fmt.Sprint(MaxTelegramID + 1), false}, {maxInt64, false}, {overInt64, false}},
		"offices[0].admins[0]": {{"0", false}, {"-1", false}, {"1", true},
			{fmt.Sprint(MaxTelegramID + 1), false}, {maxInt64, false}, {overInt64, false}},
		"offices[0].staff_chat": {{"0", false}, {"-1001234567890", true}, {"5", true},
			{fmt.Sprint(MaxTelegramID + 1), false}, {"-" + maxInt64, false}, {overInt64, false}},
		"telegram.staff_chat": {{"0", true}, {"-1001234567890", true}, {"-1", true},
			{fmt.Sprint(MaxTelegramID + 1), false}, {"-" + maxInt64, false}, {maxInt64, false}, {overInt64, false}},
		"telegram.rate_per_second": {{"0", false}, {"-1", false}, {"0.5", true}, {"30", true}, {"31", false},
			{"1e308", false}, {".inf", false}, {".nan", false}, {maxInt64, false}, {"1e400", false}},
		"telegram.questions_per_minute": {{"0", false}, {"-1", false}, {"1", true}, {"600", true}, {"601", false},
			{maxInt64, false}, {overInt64, false}},
		"telegram.ticket_reminder": {{"0s", false}, {"-1h", false}, {"59s", false}, {"1m", true}, {"720h", true},
			{"721h", false}, {"2562047h", false}, {maxInt64, false}, {"9999999999h", false}},
		"schedules.catch_up": {{"0s", true}, {"-1s", false}, {"720h", true}, {"721h", false},
			{"2562047h", false}, {maxInt64, false}, {"9999999999h", false}},
		"privacy.retain_days": {{"0", false}, {"-1", false}, {"1", true}, {"36500", true}, {"36501", false},
			{"2147483648", false}, {maxInt64, false}, {overInt64, false}, {"-" + overInt64, false}},
	}
	keys := numericKeys(reflect.TypeOf(Config{}), "")
	if len(keys) == 0 {
		t.Fatal("found no numeric keys")
	}
	for _, k := range keys {
		if _, ok := table[k]; !ok {
			t.Errorf("numeric key %s has no bounds test: add it to the table (and bound it in Validate)", k)
		}
	}
	for key, values := range table {
		for _, v := range values {
			t.Run(key+"="+v.yaml, func(t *testing.T) {
				cfg := Default()
				err := Parse("t.yaml", []byte(yamlFor(key, v.yaml)), &cfg)
				if err == nil {
					err = cfg.Validate()
				}
				if v.ok {
					if err != nil {
						t.Fatalf("want accepted, got %v", err)
					}
					return
				}
				if err == nil {
					t.Fatalf("accepted; want an error naming %s", key)
				}
				if name := strings.TrimSuffix(key, "[0]"); !strings.Contains(err.Error(), name) {
					t.Errorf("error %q does not name %s", err, name)
				}
			})
		}
	}
}

// A second YAML document would be ignored by the decoder; the file is
// refused instead, naming the line of the "---".
func TestSecondDocumentIsRefused(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       string // "" = accepted
	}{
		{"one document", "data_dir: a\n", ""},
		{"leading marker", "---\ndata_dir: a\n", ""},
		{"trailing empty document", "data_dir: a\n---\n", ""},
		{"explicit end", "data_dir: a\n...\n", ""},
		{"second document", "data_dir: a\n---\ndata_dir: b\n", "line 2"},
		{"empty first document", "---\n---\ntelegram:\n  staff_chat: 5\n", "line 2"},
		{"third document", "data_dir: a\n---\n---\noffice: 某某司法所\n", "line 3"},
		{"second document broken", "data_dir: a\n---\n[\n", "config t.yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Default()
			err := Parse("t.yaml", []byte(c.yaml), &cfg)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if cfg.DataDir != "a" {
					t.Errorf("data_dir = %q", cfg.DataDir)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse = %v, want an error mentioning %q", err, c.want)
			}
		})
	}
}
