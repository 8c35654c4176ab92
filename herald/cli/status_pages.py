"""Command line: public status pages and their badges (docs/status-pages.md).

herald status-pages list
herald status-pages create --monitor NAME | --tag TAG [--title T]
herald status-pages delete TOKEN   (the page and its badges stop working at once)
"""

import click

from herald.cli import base


@click.group("status-pages")
def status_pages() -> None:
    """Public status pages (one monitor or one tag, no sign-in): list, create, delete."""


def _show(page: dict) -> None:
    title = f"  {page['title']!r}" if page["title"] else ""
    click.echo(f"{page['token']}  {page['kind']} {page['target']}{title}")
    click.echo(f"  page       {page['url']}")
    for form, url in page["badges"].items():
        click.echo(f"  {form:10} {url}")


@status_pages.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """Every status page with its URL and badge URLs."""
    base.target(ctx)
    from chalicelib.dashboard import status_pages as pages

    for item in pages.list_all():
        _show(pages.described(item))


@status_pages.command("create")
@click.option("--monitor", help="A page for this monitor.")
@click.option("--tag", help="A page for every monitor with this tag.")
@click.option("--title", default="", help="The page's heading and badge label.")
@click.pass_context
def create(ctx: click.Context, monitor: str | None, tag: str | None, title: str) -> None:
    """A status page for a monitor or a tag (the existing one if there is one)."""
    if (monitor is None) == (tag is None):
        raise click.UsageError("give --monitor NAME or --tag TAG (one of them)")
    base.target(ctx)
    from chalicelib.core.errors import HeraldError
    from chalicelib.dashboard import status_pages as pages

    kind, target = ("monitor", monitor) if monitor is not None else ("tag", tag)
    try:
        item, created = pages.create(kind, target, title)
    except HeraldError as error:
        raise click.ClickException(str(error)) from None
    if not created:
        click.echo("exists already:")
    _show(pages.described(item))


@status_pages.command("delete")
@click.argument("token")
@click.pass_context
def delete(ctx: click.Context, token: str) -> None:
    """Delete the page TOKEN: its URL and badges answer 404 from now on."""
    base.target(ctx)
    from chalicelib.dashboard import status_pages as pages

    if not pages.delete(token):
        raise click.ClickException(f"no status page {token!r}")
    click.echo(f"{token}: deleted")
