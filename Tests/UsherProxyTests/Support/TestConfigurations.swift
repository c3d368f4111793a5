/// Configuration pieces the proxy tests share.
enum TestConfigurations {
    /// A `defaults` section for HTTP-mode tests: a short connect timeout, ample client and server ones.
    static let httpDefaults = "defaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s"
}
