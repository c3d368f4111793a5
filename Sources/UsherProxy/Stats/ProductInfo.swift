/// The name and version usher reports (stats page, `show info`, the exporter, `-v`).
public enum ProductInfo {
    public static let name = "usher"
    public static let version = "0.1.0"
}
