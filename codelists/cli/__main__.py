from codelists.cli.main import run

run()
