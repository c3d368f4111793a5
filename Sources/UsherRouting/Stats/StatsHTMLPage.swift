import UsherConfig

/// The statistics page a person reads: the process's figures, then one table per proxy with a row
/// per frontend, server and backend, coloured by state; with `stats admin`, a form per backend to
/// set servers ready, draining or in maintenance.
public struct StatsHTMLPage: Sendable {
    /// The process-wide figures at the top of the page.
    public struct Process: Sendable {
        public var product: String
        public var version: String
        public var pid: Int
        public var uptimeSeconds: Int
        public var maxConnections: Int
        public var currentConnections: Int
        public var connectionRate: Int
        public var hostname: String

        public init(product: String, version: String, pid: Int, uptimeSeconds: Int, maxConnections: Int, currentConnections: Int, connectionRate: Int, hostname: String) {
            self.product = product
            self.version = version
            self.pid = pid
            self.uptimeSeconds = uptimeSeconds
            self.maxConnections = maxConnections
            self.currentConnections = currentConnections
            self.connectionRate = connectionRate
            self.hostname = hostname
        }
    }

    public var settings: StatsPageSettings
    public var request: StatsPageRequest
    public var process: Process
    /// The rows to show, grouped by proxy in order.
    public var rows: [StatRow]
    /// The admin form is offered.
    public var adminAllowed: Bool

    public init(settings: StatsPageSettings, request: StatsPageRequest, process: Process, rows: [StatRow], adminAllowed: Bool) {
        self.settings = settings
        self.request = request
        self.process = process
        self.rows = rows
        self.adminAllowed = adminAllowed
    }

    public func render() -> String {
        var html = """
        <!DOCTYPE html>
        <html><head><title>Statistics Report for \(escape(process.product))\(nodeSuffix)</title>
        <meta http-equiv="content-type" content="text/html; charset=utf-8">
        <link rel="icon" href="data:,">
        <style type="text/css">\(Self.style)</style></head>
        <body><h1>\(heading)</h1>
        <h2>Statistics Report for pid \(process.pid)\(nodeSuffix)\(descriptionSuffix)</h2>
        <hr><h3>&gt; General process information</h3>
        \(processTable)
        \(actionMessage)
        """
        var byProxy: [(String, [StatRow])] = []
        for row in rows {
            if let last = byProxy.last, last.0 == row.proxyName {
                byProxy[byProxy.count - 1].1.append(row)
            } else {
                byProxy.append((row.proxyName, [row]))
            }
        }
        for (name, proxyRows) in byProxy {
            html += proxyTable(name: name, rows: proxyRows)
        }
        html += "</body></html>\n"
        return html
    }

    private var nodeSuffix: String {
        guard let node = settings.node else { return "" }
        return " on " + escape(node.isEmpty ? process.hostname : node)
    }

    private var descriptionSuffix: String {
        settings.description.map { ": " + escape($0) } ?? ""
    }

    private var heading: String {
        settings.hideVersion ? escape(process.product) : "\(escape(process.product)) version \(escape(process.version))"
    }

    private var processTable: String {
        let links = [
            request.onlyUp ? "<li><a href=\"\(request.link(uri: settings.uri, up: false))\">Show all servers</a>"
                : "<li><a href=\"\(request.link(uri: settings.uri, up: true))\">Hide 'DOWN' servers</a>",
            settings.refresh == nil ? "" : (request.noRefresh
                ? "<li><a href=\"\(request.link(uri: settings.uri, noRefresh: false))\">Enable refresh</a>"
                : "<li><a href=\"\(request.link(uri: settings.uri, noRefresh: true))\">Disable refresh</a>"),
            "<li><a href=\"\(request.link(uri: settings.uri))\">Refresh now</a>",
            "<li><a href=\"\(request.link(uri: settings.uri, extra: ["csv"], up: false, noRefresh: settings.refresh != nil))\">CSV export</a>",
            "<li><a href=\"\(request.link(uri: settings.uri, extra: ["json"], up: false, noRefresh: settings.refresh != nil))\">JSON export</a>",
        ].joined()
        return """
        <table border=0><tr><td class="info" valign=top>
        <p><b>pid = </b> \(process.pid)<br>
        <b>uptime = </b> \(Self.duration(process.uptimeSeconds))<br>
        <b>maxconn = </b> \(process.maxConnections)<br>
        <b>current conns = </b> \(process.currentConnections); <b>current rate = </b> \(process.connectionRate)/s</p>
        </td><td align="center" nowrap>\(legend)</td>
        <td valign=top><b>Display option:</b><ul>
        <li><form method="GET">Scope : <input value="\(escape(request.scope ?? ""))" name="scope" size="8" maxlength="\(StatsPageRequest.scopeMaximumLength)"></form>
        \(links)</ul></td></tr></table>
        """
    }

    private var legend: String {
        let states: [(String, String)] = [
            ("active_up", "active UP"), ("backup_up", "backup UP"),
            ("active_going_down", "active UP, going down"), ("backup_going_down", "backup UP, going down"),
            ("active_going_up", "active DOWN, going up"), ("backup_going_up", "backup DOWN, going up"),
            ("active_down", "active or backup DOWN"), ("active_no_check", "not checked"),
            ("maintain", "active or backup DOWN for maintenance (MAINT)"), ("active_draining", "active or backup SOFT STOPPED for maintenance"),
        ]
        var text = "<table class=\"lgd\">"
        for pair in stride(from: 0, to: states.count, by: 2) {
            text += "<tr>"
            for (css, label) in states[pair..<min(pair + 2, states.count)] {
                text += "<td class=\"\(css)\">&nbsp;</td><td class=\"noborder\">\(label)</td>"
            }
            text += "</tr>"
        }
        return text + "</table>"
    }

    private var actionMessage: String {
        guard let status = request.actionStatus else { return "" }
        let (css, text): (String, String)
        switch status {
        case "DONE": (css, text) = ("active_up", "Action processed successfully.")
        case "NONE": (css, text) = ("active_going_down", "Nothing has changed.")
        case "PART": (css, text) = ("active_going_down", "Action partially processed: some server names are probably unknown.")
        case "ERRP": (css, text) = ("active_down", "Action not processed: the action, the backend or the servers are unknown.")
        case "EXCD": (css, text) = ("active_down", "Action not processed: too much data; retry with fewer servers at a time.")
        case "DENY": (css, text) = ("active_down", "Action denied.")
        default: (css, text) = ("active_no_check", "Unexpected result.")
        }
        return "<p><div class=\(css)><a class=lfsb href=\"\(request.link(uri: settings.uri))\" title=\"Remove this message\">[X]</a> \(text)</div>"
    }

    private func proxyTable(name: String, rows: [StatRow]) -> String {
        let servers = rows.filter { $0.kind == .server }
        let form = adminAllowed && !servers.isEmpty
        var html = ""
        if form { html += "<form method=\"post\">" }
        let id = rows.first?.proxyID ?? 0
        html += """
        <table class="tbl" width="100%"><tr class="titre"><th class="pxname" width="10%"><a name="\(escape(name))"></a>\
        <a class=px href="#\(escape(name))">\(escape(name))</a></th><th class="empty" width="90%"></th></tr></table>
        <table class="tbl" width="100%">
        <tr class="titre"><th rowspan=2></th><th rowspan=2></th><th colspan=3>Queue</th><th colspan=3>Session rate</th>\
        <th colspan=6>Sessions</th><th colspan=2>Bytes</th><th colspan=2>Denied</th><th colspan=3>Errors</th>\
        <th colspan=2>Warnings</th><th colspan=9>Server</th></tr>
        <tr class="titre"><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th><th>Limit</th><th>Cur</th><th>Max</th>\
        <th>Limit</th><th>Total</th><th>LbTot</th><th>Last</th><th>In</th><th>Out</th><th>Req</th><th>Resp</th><th>Req</th>\
        <th>Conn</th><th>Resp</th><th>Retr</th><th>Redis</th><th>Status</th><th>LastChk</th><th>Wght</th><th>Act</th><th>Bck</th>\
        <th>Chk</th><th>Dwn</th><th>Dwntme</th><th>Thrtle</th></tr>

        """
        for row in rows {
            html += tableRow(row, form: form)
        }
        html += "</table>"
        if form {
            html += """
            <div class=lfsb>Choose the action to perform on the checked servers : <select name=action>\
            <option value="">---</option><option value="ready">Set state to READY</option>\
            <option value="drain">Set state to DRAIN</option><option value="maint">Set state to MAINT</option></select>\
            <input type="hidden" name="b" value="#\(id)"><input type="submit" value="Apply"></div></form>
            """
        }
        return html + "<p>\n"
    }

    private func tableRow(_ row: StatRow, form: Bool) -> String {
        func cell(_ field: StatField) -> String { "<td>\(row[field].map { escape($0.text) } ?? "")</td>" }
        let status = row.status
        let css: String
        let name: String
        var leading = "<td></td>"
        switch row.kind {
        case .frontend: (css, name) = ("frontend", "Frontend")
        case .backend: (css, name) = ("backend", "Backend")
        case .listener: (css, name) = ("socket", escape(row.serviceName))
        case .server:
            (css, name) = (Self.serverClass(status: status, isBackup: row[int: .bck] == 1), escape(row.serviceName))
            if form {
                leading = "<td><input class='\(escape(row.proxyName))-checkbox' type=\"checkbox\" name=\"s\" value=\"\(escape(row.serviceName))\"></td>"
            }
        }
        var html = "<tr class=\"\(css)\">\(leading)<td class=ac>\(name)</td>"
        html += cell(.qcur) + cell(.qmax) + cell(.qlimit)
        html += cell(.rate) + cell(.rateMax) + cell(.rateLim)
        html += cell(.scur) + cell(.smax) + cell(.slim) + cell(.stot) + cell(.lbtot)
        let last = row[int: .lastsess].map { $0 < 0 ? "" : Self.duration($0) } ?? ""
        html += "<td>\(last)</td>"
        html += cell(.bin) + cell(.bout) + cell(.dreq) + cell(.dresp) + cell(.ereq) + cell(.econ) + cell(.eresp)
        html += cell(.wretr) + cell(.wredis)
        switch row.kind {
        case .frontend, .listener:
            html += "<td class=ac>\(escape(status))</td><td class=ac colspan=8></td>"
        case .backend, .server:
            let since = row[int: .lastchg].map { Self.duration($0) + " " } ?? ""
            let shown = status == "no check" ? "<i>no check</i>" : since + escape(status)
            html += "<td class=ac>\(row.kind == .backend && status == "DOWN" ? "\(since)<font color=\"red\"><b>DOWN</b></font>" : shown)</td>"
            if let check = row[.checkStatus]?.text {
                let took = row[int: .checkDuration].map { " in \($0)ms" } ?? ""
                html += "<td class=ac><u> \(escape(check))\(took)<div class=tips>\(escape(row[.checkDesc]?.text ?? ""))</div></u></td>"
            } else {
                html += "<td></td>"
            }
            let weight = row[int: .weight].map { row.kind == .server ? "\($0)/\(row[int: .uweight] ?? $0)" : "\($0)" } ?? ""
            html += "<td class=ac>\(weight)</td>"
            if row.kind == .server {
                html += "<td class=ac>\(row[int: .act] == 1 ? "Y" : "-")</td><td class=ac>\(row[int: .bck] == 1 ? "Y" : "-")</td>"
            } else {
                html += cell(.act) + cell(.bck)
            }
            html += cell(.chkfail) + cell(.chkdown)
            html += "<td>\(row[int: .downtime].map { Self.duration($0) } ?? "")</td><td>-</td>"
        }
        return html + "</tr>\n"
    }

    /// The row colour of a server in `status`.
    static func serverClass(status: String, isBackup: Bool) -> String {
        let side = isBackup ? "backup" : "active"
        if status.hasPrefix("MAINT") { return "maintain" }
        if status == "DRAIN" { return "\(side)_draining" }
        if status == "no check" { return "\(side)_no_check" }
        if status == "UP" { return "\(side)_up" }
        if status.hasPrefix("UP ") { return "\(side)_going_down" }
        if status.hasPrefix("DOWN ") { return "\(side)_going_up" }
        return "\(side)_down"
    }

    /// `33s`, `1m21s`, `2h3m`, `4d5h`.
    static func duration(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(seconds % 60)s" }
        if seconds < 86400 { return "\(seconds / 3600)h\(seconds % 3600 / 60)m" }
        return "\(seconds / 86400)d\(seconds % 86400 / 3600)h"
    }

    func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static let style = """
    body { font-family: arial, helvetica, sans-serif; font-size: 12px; font-weight: normal; color: black; background: white; }
    th, td { font-size: 10px; }
    h1 { font-size: x-large; margin-bottom: 0.5em; }
    h2 { font-family: helvetica, arial; font-size: x-large; font-weight: bold; font-style: italic; color: #6020a0; margin-top: 0em; margin-bottom: 0em; }
    h3 { font-family: helvetica, arial; font-size: 16px; font-weight: bold; color: #b00040; background: #e8e8d0; margin-top: 0em; margin-bottom: 0em; }
    table.tbl { border-collapse: collapse; border-style: none; }
    table.tbl td, table.tbl th { text-align: right; border-style: solid solid solid solid; border-width: 1px; border-color: gray; white-space: nowrap; }
    table.tbl td.ac, table.tbl th.pxname { text-align: center; }
    table.tbl th.empty { border-style: none; empty-cells: hide; background: white; }
    table.tbl th.pxname { background: #b00040; color: #ffff40; font-weight: bold; text-align: left; }
    table.lgd { border-collapse: collapse; border-width: 1px; border-style: none none none solid; border-color: black; }
    table.lgd td { border-width: 1px; border-style: solid solid solid solid; border-color: gray; padding: 2px; }
    table.lgd td.noborder { border-style: none; padding: 2px; white-space: nowrap; }
    a.px:link, a.px:visited { color: #ffff40; text-decoration: none; }
    u { text-decoration: none; } div.tips { display: none; }
    u:hover div.tips { display: block; position: absolute; background: #ffffc0; border: 1px solid #808080; padding: 2px; text-align: left; }
    .titre, .total { background: #20D0D0; color: #000000; font-weight: bold; text-align: center; }
    .frontend { background: #e8e8d0; } .socket { background: #d0d0d0; } .backend { background: #e8e8d0; }
    .active_down { background: #ff9090; } .active_going_up { background: #ffd020; } .active_going_down { background: #ffffa0; }
    .active_up { background: #c0ffc0; } .active_nolb { background: #20a0ff; } .active_draining { background: #20a0FF; }
    .active_no_check { background: #e0e0e0; } .backup_down { background: #ff9090; } .backup_going_up { background: #ff80ff; }
    .backup_going_down { background: #c060ff; } .backup_up { background: #b0d0ff; } .backup_nolb { background: #90b0e0; }
    .backup_draining { background: #cc9900; } .backup_no_check { background: #e0e0e0; } .maintain { background: #c07820; }
    a.lfsb { border: 1px solid #c0c0c0; padding: 1px; } div.lfsb { padding: 4px; }
    """
}
