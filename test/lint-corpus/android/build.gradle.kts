plugins { id("com.android.application") version "8.5.0" }

android {
    defaultConfig {
        buildConfigField("String", "CHAT_ROUTE", "\"support-triage\"")
        buildConfigField("String", "MODEL", "\"gemini-1.5-flash\"")
    }
}
