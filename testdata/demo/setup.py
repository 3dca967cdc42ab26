from setuptools import Extension, setup

setup(
    name="keysign",
    version="1.4.2",
    packages=["demo", "accounts", "signing", "webhooks"],
    ext_modules=[
        Extension(
            "signing._fastcodec",
            sources=["native/_fastcodec.c"],
            extra_compile_args=["-O2", "-Wall"],
        ),
    ],
    python_requires=">=3.11",
)
