"""`luislite` command line: serve the LUIS APIs (more commands come with the CLI issue)."""
import click


@click.group()
def main():
    """luislite: LUIS authoring and prediction, local and offline."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int):
    """Start the service (and its training worker) on HOST:PORT."""
    import waitress

    from luislite import create_app

    app = create_app()
    config = app.config["LUISLITE"]
    click.echo(f"luislite on http://{host}:{port}  data: {config.data_dir}")
    click.echo(f"authoring key: {config.authoring_keys[0]}")
    waitress.serve(app, host=host, port=port, threads=threads, ident="luislite")


if __name__ == "__main__":
    main()
