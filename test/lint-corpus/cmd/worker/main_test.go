package main

import "testing"

func TestDefaultModel(t *testing.T) {
	if defaultModel != "gpt-4o" {
		t.Fatalf("got %s", defaultModel)
	}
	o1 := 1 // not a model
	_ = o1
}
