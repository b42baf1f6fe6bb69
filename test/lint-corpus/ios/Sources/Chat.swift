import Foundation

struct ChatConfig {
    // Moving off gpt-4 turbo soon; the gemini pro trial went well.
    static let model = "gpt-4-turbo-preview"
    static let route = "support-triage"
    static let multiline = """
    Use deepseek-reasoner for math.
    """
}
