resource "aws_bedrock_model_invocation_logging_configuration" "this" {}

variable "model_id" {
  # the amazon.titan-embed-text-v2:0 embeddings model
  default = "meta.llama3-1-70b-instruct-v1:0"
}
