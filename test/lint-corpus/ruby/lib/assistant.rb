require "ruby/openai"

# Wraps the gateway. The claude gem is unrelated.
class Assistant
  MODEL = "claude-3-sonnet-20240229".freeze
  ROUTE = 'summarise'

  def call(prompt)
    client.chat(parameters: { model: 'grok-4', messages: [{ role: "user", content: prompt }] })
  end
end
