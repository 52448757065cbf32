from setuptools import find_packages, setup

requirements = [
    "aiohttp>=3.9",
]

setup(
    name="greeter",
    version="1.4.0",
    packages=find_packages(),
    install_requires=requirements,
    extras_require={"dev": ["pytest"]},
)
