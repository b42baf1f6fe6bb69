using OpenAI.Chat;

namespace Acme.Services;

// Azure deployment names are not model ids: "prod-chat" is ours.
public class Completion
{
    private const string Deployment = "prod-chat";
    private const string Model = "gpt-35-turbo-16k";
    private static readonly string Verbatim = @"o4-mini";
}
