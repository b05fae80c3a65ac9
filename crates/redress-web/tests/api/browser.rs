//! A browser without JavaScript for the server-rendered pages: follows no redirect by itself,
//! keeps the cookies it is given, reads form tokens out of the HTML.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use crate::support::TestApp;

/// A browser without JavaScript: follows nothing by itself, keeps the cookies it is given.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    pub cookies: Vec<(String, String)>,
}

pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    /// The `Set-Cookie` headers, whole.
    pub set_cookies: Vec<String>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { client, base: app.base.clone(), cookies: Vec::new() }
    }

    /// A second tab of the same browser: the same cookies, from now on its own.
    pub fn twin(&self) -> Browser {
        Browser { client: self.client.clone(), base: self.base.clone(), cookies: self.cookies.clone() }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn keep(&mut self, response: reqwest::Response) -> Answer {
        let mut set_cookies = Vec::new();
        for value in response.headers().get_all(SET_COOKIE) {
            set_cookies.push(value.to_str().unwrap().to_owned());
            let pair = value.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(k, _)| k != name);
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        let location = response.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_owned());
        Answer { status: response.status(), location, body: response.text().await.unwrap(), set_cookies }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let response =
            self.client.get(format!("{}{path}", self.base)).header(COOKIE, self.cookie_header()).send().await.unwrap();
        self.keep(response).await
    }

    /// Posts a form. A sign-in or look-up form gets the page's `login_token` first, as a
    /// browser that loaded the page would send it (tests of its absence use [`Browser::post_bare`]).
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let page = path
            .strip_suffix("/lookup")
            .map(str::to_owned)
            .or_else(|| path.ends_with("/signin").then(|| path.to_owned()));
        let mut fields: Vec<(String, String)> = form.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        if let Some(page) = page
            && !form.iter().any(|(k, _)| *k == "login_token")
        {
            let loaded = self.get(&page).await;
            let token = hidden_field(&loaded.body, "login_token");
            fields.push(("login_token".to_owned(), token));
        }
        self.post_bare(path, &fields).await
    }

    /// Posts a form exactly as given.
    pub async fn post_bare(&mut self, path: &str, form: &[(String, String)]) -> Answer {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(response).await
    }

    /// Posts a `multipart/form-data` form as a browser sends one: text fields, then files
    /// (name, file name, content type, bytes).
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, &[u8])],
    ) -> Answer {
        self.try_post_multipart(path, fields, files).await.expect("the server answers")
    }

    /// As [`Browser::post_multipart`], but `None` when the server cut the connection before
    /// reading the whole body (as it may once the body is over its limit).
    pub async fn try_post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &str, &[u8])],
    ) -> Option<Answer> {
        let boundary = "----redress-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
            );
        }
        for (name, filename, content_type, bytes) in files {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                     Content-Type: {content_type}\r\n\r\n"
                )
                .bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").bytes());
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header(reqwest::header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(body)
            .send()
            .await
            .ok()?;
        Some(self.keep(response).await)
    }

    /// Fetches a file (a photo) with the browser's cookies: status, content type, bytes.
    pub async fn fetch(&mut self, path: &str) -> (StatusCode, String, Vec<u8>) {
        let response =
            self.client.get(format!("{}{path}", self.base)).header(COOKIE, self.cookie_header()).send().await.unwrap();
        let status = response.status();
        let kind = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, kind, response.bytes().await.unwrap().to_vec())
    }
}

pub fn form_token(page: &str) -> String {
    let at = page.find("name=\"form_token\" value=\"").expect("a form token") + "name=\"form_token\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// The value of a hidden field of a page's form.
pub fn hidden_field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.split(&marker).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_owned()
}
