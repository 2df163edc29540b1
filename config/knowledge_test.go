package config

import "testing"

// TestKnowledgeEmbedded checks that the built-in law texts are on by
// default and that knowledge.embedded: false turns them off.
func TestKnowledgeEmbedded(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       bool
	}{
		{"default", "data_dir: x\n", true},
		{"with folders", "knowledge:\n  laws: [a]\n", true},
		{"off", "knowledge:\n  embedded: false\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Default()
			if err := Parse("t.yaml", []byte(tc.yaml), &cfg); err != nil {
				t.Fatal(err)
			}
			if cfg.Knowledge.Embedded != tc.want {
				t.Errorf("knowledge.embedded = %v, want %v", cfg.Knowledge.Embedded, tc.want)
			}
		})
	}
}
