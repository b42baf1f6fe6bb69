package main

import (
	"context"
	"fmt"

	"github.com/openai/openai-go"
)

// defaultModel is what the worker asks for. Was gpt-4-turbo until May.
const defaultModel = "gpt-4o"

var prompt = `Classify the ticket.
Model hint: gemini-1.5-pro-002`

func main() {
	ctx := context.Background()
	client := openai.NewClient()
	_ = client
	fmt.Println(ctx, defaultModel, prompt, "llama")
}
