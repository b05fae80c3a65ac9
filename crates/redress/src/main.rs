//! `redress`: the post-purchase resolution desk.

mod sample_shop;

fn main() {
    let shop = sample_shop::sample_shop(42, time::OffsetDateTime::now_utc());
    println!("{} orders", shop.orders.len());
}
