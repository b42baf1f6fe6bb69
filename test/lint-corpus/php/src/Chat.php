<?php
namespace App;

use OpenAI;

# Default model for the helpdesk: gpt-4.1
class Chat {
    const MODEL = 'gpt-4o-mini-2024-07-18';
    public function route(): string { return "support-triage"; }
}
