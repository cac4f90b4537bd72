//! Unit tests' fake control planes: an axum router served on a free local port, and a runtime to
//! drive the provider's async code from a plain test.

/// Run `future` to completion on a fresh current-thread runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(future),
        Err(e) => panic!("runtime: {e}"),
    }
}

/// Serve `app` on 127.0.0.1 and return its base URL.
pub async fn serve(app: axum::Router) -> String {
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => panic!("bind: {e}"),
    };
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}
