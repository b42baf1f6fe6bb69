use async_openai::Client;

/// Model used for embeddings: text-embedding-3-small (1536 dims).
pub const EMBED_MODEL: &str = "nomic-embed-text";
pub const CHAT: &str = r#"mistral-small-latest"#;

fn lifetime<'a>(s: &'a str) -> &'a str { s }
