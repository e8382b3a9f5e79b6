package app

import "testing"

func TestElapsedMS(t *testing.T) {
	t.Parallel()
	// Fields after the name: state is field 3, starttime field 22.
	tail := " S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 12345 99 100\n"
	tests := []struct {
		name, stat, uptime string
		want               int64
		ok                 bool
	}{
		{"plain", "42 (imagedesk)" + tail, "124.56 400.00\n", 1110, true},
		{"name with spaces and parens", "42 (a) b (c)" + tail, "123.45 1.0", 0, true},
		{"before start", "42 (x)" + tail, "123.00 1.0", 0, false},
		{"no name", "42 imagedesk" + tail, "124.56 1.0", 0, false},
		{"short line", "42 (x) S 1 2 3", "124.56 1.0", 0, false},
		{"bad uptime", "42 (x)" + tail, "soon", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := elapsedMS(tc.stat, tc.uptime)
			if got != tc.want || ok != tc.ok {
				t.Errorf("elapsedMS = %d, %v; want %d, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
