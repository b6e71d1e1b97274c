import sys

from xlkinerja.cli import main

sys.exit(main())
