import Testing
import UsherRouting

/// The statistics' text forms: column order and names (scripts read the CSV by position), which rows
/// carry which columns, the typed and JSON layouts.
@Suite struct StatsOutputTests {
    /// HAProxy 2.6.12's `show stat` header, as printed.
    static let haproxyHeader = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,"

    @Test func headerMatchesHAProxy26() {
        let csv = StatsOutput.csv([])
        #expect(csv == Self.haproxyHeader + "\n")
        #expect(StatField.allCases.count == 128)
        #expect(StatField(name: "hrsp_2xx") == .hrsp2xx)
        #expect(StatField.hrsp2xx.rawValue == 40)
    }

    @Test func rowsCarryOnlyTheirColumns() {
        var frontend = StatRow(kind: .frontend, proxyName: "fe", serviceName: "FRONTEND", proxyID: 2, objectID: 0, isHTTP: true)
        frontend[int: .scur] = 3
        frontend[int: .qcur] = 9  // frontends have no queue: ignored
        frontend[int: .hrsp2xx] = 5
        #expect(frontend[.qcur] == nil)
        var tcpFrontend = StatRow(kind: .frontend, proxyName: "ft", serviceName: "FRONTEND", proxyID: 3, objectID: 0, isHTTP: false)
        tcpFrontend[int: .hrsp2xx] = 5  // no HTTP responses in mode tcp
        #expect(tcpFrontend[.hrsp2xx] == nil)
        let line = StatsOutput.csv([frontend], header: false)
        let cells = line.dropLast().split(separator: ",", omittingEmptySubsequences: false)
        // 128 cells and the trailing comma HAProxy writes.
        #expect(cells.count == 129)
        #expect(cells[0] == "fe" && cells[1] == "FRONTEND" && cells[4] == "3" && cells[2] == "" && cells[40] == "5")
        #expect(cells[26] == "1" && cells[27] == "2" && cells[28] == "0" && cells[32] == "0" && cells[103] == "-")
    }

    @Test func csvQuotesCellsWithSeparators() {
        var server = StatRow(kind: .server, proxyName: "be", serviceName: "s1", proxyID: 3, objectID: 1, isHTTP: true)
        server[.lastChk] = .string("said \"no\", twice")
        #expect(StatsOutput.csv([server], header: false).contains(",\"said \"\"no\"\", twice\","))
    }

    @Test func typedLinesSkipTheSeparatorColumn() {
        var server = StatRow(kind: .server, proxyName: "be", serviceName: "s1", proxyID: 3, objectID: 1, isHTTP: true)
        server[int: .stot] = 13
        server[.status] = .string("UP")
        server[int: .sslSess] = 0
        let typed = StatsOutput.typed([server])
        #expect(typed.hasPrefix("S.3.1.0.pxname.1:KNS:str:be\nS.3.1.1.svname.1:KNS:str:s1\n"))
        #expect(typed.contains("S.3.1.7.stot.1:MCP:u64:13\n"))
        #expect(typed.contains("S.3.1.17.status.1:SGP:str:UP\n"))
        #expect(typed.contains("S.3.1.103.ssl_sess.1:MCP:u64:0\n"))
        #expect(!typed.contains(".-."))
        #expect(typed.hasSuffix(":0\n") && !typed.contains("\n\n"))
    }

    @Test func jsonHasHAProxysShape() {
        var backend = StatRow(kind: .backend, proxyName: "be", serviceName: "BACKEND", proxyID: 3, objectID: 0, isHTTP: true)
        backend[int: .qtime] = 2
        let json = StatsOutput.json([backend])
        #expect(json.hasPrefix("[[{\"objType\":\"Backend\",\"proxyId\":3,\"id\":0,\"field\":{\"pos\":0,\"name\":\"pxname\"},\"processNum\":1,\"tags\":{\"origin\":\"Key\",\"nature\":\"Name\",\"scope\":\"Service\"},\"value\":{\"type\":\"str\",\"value\":\"be\"}}"))
        #expect(json.contains("{\"pos\":58,\"name\":\"qtime\"},\"processNum\":1,\"tags\":{\"origin\":\"Metric\",\"nature\":\"Avg\",\"scope\":\"Process\"},\"value\":{\"type\":\"u32\",\"value\":2}}"))
        #expect(json.hasSuffix("]]\n"))
    }
}

@Suite struct StatsPageRequestTests {
    @Test func optionsAfterThePrefix() {
        let request = StatsPageRequest(target: "/stats;csv;norefresh;up?scope=be", uri: "/stats")
        #expect(request.format == .csv && request.noRefresh && request.onlyUp && request.scope == "be")
        #expect(StatsPageRequest(target: "/stats", uri: "/stats").format == .html)
        #expect(StatsPageRequest(target: "/stats;json", uri: "/stats").format == .json)
        #expect(StatsPageRequest(target: "/stats;st=DONE", uri: "/stats").actionStatus == "DONE")
        #expect(StatsPageRequest(target: "/haproxy?stats;typed", uri: "/haproxy?stats").format == .typed)
        #expect(request.link(uri: "/stats", extra: ["st=DONE"], up: false) == "/stats;st=DONE;norefresh?scope=be")
    }

    /// The scope goes back into links and the admin redirect's `Location`: only the bytes of a proxy
    /// name pass, taken as written (never decoded), cut to 20 — as HAProxy does.
    @Test func scopeIsOnlyAProxyNameFragment() {
        func scope(_ query: String) -> String? { StatsPageRequest(target: "/stats?\(query)", uri: "/stats").scope }
        #expect(scope("scope=web-1.a_b:c") == "web-1.a_b:c")
        #expect(scope("scope=%22%3E%3Cscript%3E") == nil)
        #expect(scope("scope=%0D%0ASet-Cookie:%20admin=1") == nil)
        #expect(scope("scope=\"><script>") == nil)
        #expect(scope("scope=a b") == "a")
        #expect(scope("scope=\u{e9}t\u{e9}") == nil)
        #expect(scope("scope=") == nil)
        #expect(scope("x=1&scope=be&y=2") == "be")
        #expect(scope("scope=abcdefghijklmnopqrstuvwxyz") == "abcdefghijklmnopqrst")
        let request = StatsPageRequest(target: "/stats;up?scope=%0D%0ALocation:x", uri: "/stats")
        #expect(request.link(uri: "/stats") == "/stats;up")
    }

    @Test func adminForm() {
        let form = StatsPageRequest.AdminForm(body: "s=s1&s=web%202&action=drain&b=%233")
        #expect(form.servers == ["s1", "web 2"] && form.action == "drain" && form.backend == "#3")
    }

    @Test func basicCredentials() {
        // "admin:se:cret" in base64: the password may hold colons.
        let credentials = StatsPageRequest.basicCredentials("Basic YWRtaW46c2U6Y3JldA==")
        #expect(credentials?.user == "admin" && credentials?.password == "se:cret")
        #expect(StatsPageRequest.basicCredentials("Bearer abc") == nil)
        #expect(StatsPageRequest.basicCredentials("Basic !!!") == nil)
    }
}
