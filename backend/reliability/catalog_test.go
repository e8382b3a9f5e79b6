package reliability

import "testing"

func TestSentences(t *testing.T) {
	en, zh, err := Sentences(ErrorKey("unauthorized"))
	if err != nil || en == "" || zh == "" || en == zh {
		t.Fatalf("Sentences(error.unauthorized) = %q, %q, %v", en, zh, err)
	}
	if _, _, err := Sentences("error.no_such_code_anywhere"); err == nil {
		t.Error("a missing key gave no error")
	}
}
