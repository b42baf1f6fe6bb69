package com.acme.chat

// Picks the route for the device tier.
object Chat {
    const val MODEL = "gemini-2.0-flash"
    val fallback = listOf("gemini-1.5-flash-8b", "support-triage")
    val build = "1.2.3-beta"
}
